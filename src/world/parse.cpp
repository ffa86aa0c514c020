#include "world/parse.h"

#include <cctype>

#include "world/lexicon.h"

namespace easel::world {
namespace {

enum class Kind { Shape, Color, Size, Relation, Number, Article, Link, Colored, Background, Filler, Unknown };

struct Entry {
  std::vector<std::string> tokens;
  Kind kind;
  int value = 0;
};

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      cur += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!cur.empty()) {
      out.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// Words the parser accepts beyond the grammar's (lexicon.h): synonyms a person might write.
const std::vector<std::pair<Shape, std::vector<std::string>>> kExtraShapes = {
    {Shape::Circle, {"disc", "dot", "round"}},      {Shape::Square, {"box", "block"}},
    {Shape::Star, {"pentagram"}},                   {Shape::Diamond, {"lozenge", "rhomb"}},
    {Shape::Hexagon, {"hex"}},                      {Shape::Cross, {"plus", "plus symbol"}},
    {Shape::Ring, {"doughnut", "annulus", "hoop"}}, {Shape::Crescent, {"moon", "half moon"}}};
const std::vector<std::pair<Color, std::vector<std::string>>> kExtraColors = {
    {Color::Red, {"crimson", "scarlet"}},     {Color::Purple, {"magenta", "lilac", "lavender"}},
    {Color::Gray, {"silver"}},                {Color::Cyan, {"turquoise", "aqua", "teal"}},
    {Color::Yellow, {"golden", "gold"}},      {Color::Brown, {"chocolate"}}};
const std::vector<std::pair<Size, std::vector<std::string>>> kExtraSizes = {
    {Size::Small, {"tiny", "smaller", "mini"}},
    {Size::Medium, {"mid sized", "midsized", "middle sized", "medium size", "average sized", "moderate"}},
    {Size::Large, {"huge", "giant", "larger", "bigger", "enormous"}}};
const std::vector<std::pair<Relation, std::vector<std::string>>> kExtraRelations = {
    {Relation::LeftOf, {"on the left side of", "to the left side of", "leftward of"}},
    {Relation::RightOf, {"on the right side of", "to the right side of", "rightward of"}},
    {Relation::Above, {"atop", "on top", "higher than", "up from"}},
    {Relation::Below, {"lower than", "beneath of", "down from", "at the bottom of"}}};
const std::vector<std::string> kFillers = {"of",      "picture", "image",   "photo",  "photograph", "drawing",
                                           "illustration", "painting", "render", "rendering", "there", "showing",
                                           "shows",   "show",    "with",    "and",    "on",         "against",
                                           "together", "plain",  "here",    "some",   "also",       "set"};

std::vector<std::string> tokens_of(const std::string& phrase) { return split(phrase); }

const std::vector<Entry>& lexicon() {
  static const std::vector<Entry> entries = [] {
    std::vector<Entry> e;
    auto add = [&](const std::string& phrase, Kind kind, int value) { e.push_back({tokens_of(phrase), kind, value}); };
    auto add_shape = [&](const std::string& w, Shape s) {
      add(w, Kind::Shape, static_cast<int>(s));
      add(plural_of(w), Kind::Shape, static_cast<int>(s));
    };
    for (int s = 0; s < kNumShapes; ++s)
      for (const std::string& w : words_for(Shape(s))) add_shape(w, Shape(s));
    for (auto& [s, words] : kExtraShapes)
      for (const std::string& w : words) add_shape(w, s);
    for (int c = 0; c < kNumColors; ++c)
      for (const std::string& w : words_for(Color(c))) add(w, Kind::Color, c);
    for (auto& [c, words] : kExtraColors)
      for (const std::string& w : words) add(w, Kind::Color, static_cast<int>(c));
    for (int s = 0; s < kNumSizes; ++s)
      for (const std::string& w : words_for(Size(s))) add(w, Kind::Size, s);
    for (auto& [s, words] : kExtraSizes)
      for (const std::string& w : words) add(w, Kind::Size, static_cast<int>(s));
    for (int r = 0; r < kNumRelations; ++r)
      for (const std::string& w : words_for(Relation(r))) add(w, Kind::Relation, r);
    for (auto& [r, words] : kExtraRelations)
      for (const std::string& w : words) add(w, Kind::Relation, static_cast<int>(r));
    for (int n = 1; n <= 10; ++n) {
      add(number_word(n), Kind::Number, n);
      add(std::to_string(n), Kind::Number, n);
    }
    add("pair of", Kind::Number, 2);
    add("a pair of", Kind::Number, 2);
    for (const char* w : {"a", "an", "the", "single"}) add(w, Kind::Article, 0);
    for (const char* w : {"that", "which", "is", "are", "in", "being"}) add(w, Kind::Link, 0);
    for (const char* w : {"colored", "coloured", "color", "colour"}) add(w, Kind::Colored, 0);
    for (const char* w : {"background", "backdrop", "backgrounds"}) add(w, Kind::Background, 0);
    for (const std::string& w : kFillers) add(w, Kind::Filler, 0);
    return e;
  }();
  return entries;
}

struct Item {
  Kind kind;
  int value;
  std::string text;
};

// Longest lexicon match at each position; a token nothing matches is Unknown.
std::vector<Item> lex(const std::vector<std::string>& tokens) {
  std::vector<Item> items;
  size_t i = 0;
  while (i < tokens.size()) {
    const Entry* best = nullptr;
    for (const Entry& e : lexicon()) {
      if (e.tokens.size() > tokens.size() - i || (best && e.tokens.size() <= best->tokens.size())) continue;
      bool match = true;
      for (size_t k = 0; k < e.tokens.size() && match; ++k) match = tokens[i + k] == e.tokens[k];
      if (match) best = &e;
    }
    if (!best) {
      items.push_back({Kind::Unknown, 0, tokens[i++]});
      continue;
    }
    std::string text;
    for (size_t k = 0; k < best->tokens.size(); ++k) text += (k ? " " : "") + tokens[i + k];
    items.push_back({best->kind, best->value, text});
    i += best->tokens.size();
  }
  return items;
}

// The words of a noun phrase read so far, before its shape noun.
struct Pending {
  std::optional<int> count;
  std::optional<Size> size;
  std::optional<Color> color;
  std::vector<std::string> words;  // its words other than articles
  bool empty() const { return !count && !size && !color; }
};

}  // namespace

ParsedCaption parse_caption(const std::string& text) {
  ParsedCaption out;
  SceneSpec& spec = out.spec;
  Pending p;
  int last_np = -1;          // index of the last object phrase
  bool after_link = false;   // "a star that is" / "a star in": colors and sizes go to the last object
  bool wants_color = false;  // "background is/of": the next color is the background's
  std::optional<RelationSpec> open_relation;  // a relation word waiting for its second object
  std::string relation_text;
  bool relation_seen = false;

  auto drop_pending = [&] {
    for (const std::string& w : p.words) out.unused.push_back(w);
    p = Pending{};
  };
  auto set_background = [&](Color c, const std::string& word) {
    if (spec.background) out.unused.push_back(word);
    else spec.background = c;
  };

  for (const Item& it : lex(split(text))) {
    if (it.kind != Kind::Filler && it.kind != Kind::Link && it.kind != Kind::Color) wants_color = false;
    switch (it.kind) {
      case Kind::Article:
        drop_pending();
        after_link = false;
        break;
      case Kind::Number:
        drop_pending();
        p.count = it.value;
        p.words.push_back(it.text);
        after_link = false;
        break;
      case Kind::Size:
      case Kind::Color: {
        if (it.kind == Kind::Color && wants_color) {
          set_background(Color(it.value), it.text);
          wants_color = false;
          break;
        }
        bool is_size = it.kind == Kind::Size;
        if (after_link && last_np >= 0 && p.empty()) {
          ObjectSpec& o = spec.objects[last_np];
          bool taken = is_size ? o.size.has_value() : o.color.has_value();
          if (taken) out.unused.push_back(it.text);
          else if (is_size) o.size = Size(it.value);
          else o.color = Color(it.value);
          break;
        }
        after_link = false;
        bool taken = is_size ? p.size.has_value() : p.color.has_value();
        if (taken) {
          out.unused.push_back(it.text);
          break;
        }
        if (is_size) p.size = Size(it.value);
        else p.color = Color(it.value);
        p.words.push_back(it.text);
        break;
      }
      case Kind::Colored:
        // "a blue colored star" (the color is pending) or "a star colored blue" (right after the noun).
        if (p.empty() && last_np >= 0) after_link = true;
        else if (!p.color) out.unused.push_back(it.text);
        break;
      case Kind::Link:
        if (p.empty() && last_np >= 0) after_link = true;
        break;
      case Kind::Shape: {
        ObjectSpec o;
        o.shape = Shape(it.value);
        o.color = p.color;
        o.size = p.size;
        o.count = p.count.value_or(1);
        p = Pending{};
        spec.objects.push_back(o);
        int index = static_cast<int>(spec.objects.size()) - 1;
        if (open_relation) {
          open_relation->b = index;
          spec.relation = open_relation;
          open_relation.reset();
        }
        last_np = index;
        after_link = false;
        break;
      }
      case Kind::Relation:
        drop_pending();
        after_link = false;
        if (relation_seen || last_np < 0) {
          out.unused.push_back(it.text);
          break;
        }
        relation_seen = true;
        open_relation = RelationSpec{Relation(it.value), last_np, -1};
        relation_text = it.text;
        break;
      case Kind::Background:
        after_link = false;
        if (p.color && !p.size && !p.count) {  // "a white background"
          set_background(*p.color, p.words.back());
          p = Pending{};
        } else {  // "the background is white", "a background of gray"
          drop_pending();
          wants_color = true;
        }
        break;
      case Kind::Filler:
        break;
      case Kind::Unknown:
        out.unused.push_back(it.text);
        break;
    }
  }
  drop_pending();
  if (open_relation) out.unused.push_back(relation_text);
  return out;
}

}  // namespace easel::world
