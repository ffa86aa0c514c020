#include "world/lexicon.h"

namespace easel::world {

const std::vector<std::string>& words_for(Shape s) {
  static const std::vector<std::string> words[kNumShapes] = {
      {"circle", "disk"}, {"square"},  {"triangle"},          {"star"},         {"heart"},
      {"diamond", "rhombus"}, {"hexagon"}, {"cross", "plus sign"}, {"ring", "donut"}, {"crescent", "crescent moon"}};
  return words[static_cast<int>(s)];
}

const std::vector<std::string>& words_for(Color c) {
  static const std::vector<std::string> words[kNumColors] = {
      {"red"},  {"orange"}, {"yellow"}, {"green"}, {"blue"}, {"purple", "violet"},
      {"pink"}, {"brown"},  {"black"},  {"white"}, {"gray", "grey"}, {"cyan"}};
  return words[static_cast<int>(c)];
}

const std::vector<std::string>& words_for(Size s) {
  static const std::vector<std::string> words[kNumSizes] = {
      {"small", "little"}, {"medium", "medium sized"}, {"large", "big"}};
  return words[static_cast<int>(s)];
}

const std::vector<std::string>& words_for(Relation r) {
  static const std::vector<std::string> words[kNumRelations] = {
      {"to the left of", "left of", "on the left of"},
      {"to the right of", "right of", "on the right of"},
      {"above", "over", "on top of"},
      {"below", "under", "beneath", "underneath"}};
  return words[static_cast<int>(r)];
}

std::string plural_of(const std::string& noun) {
  auto ends_with = [&](const char* tail) {
    std::string t(tail);
    return noun.size() >= t.size() && noun.compare(noun.size() - t.size(), t.size(), t) == 0;
  };
  bool es = ends_with("s") || ends_with("x") || ends_with("ch") || ends_with("sh");
  return noun + (es ? "es" : "s");
}

const std::string& number_word(int n) {
  static const std::vector<std::string> words = {"zero", "one", "two", "three", "four", "five",
                                                 "six",  "seven", "eight", "nine", "ten"};
  return words.at(static_cast<size_t>(n));
}

}  // namespace easel::world
