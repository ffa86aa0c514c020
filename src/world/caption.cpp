#include "world/caption.h"

#include "util/error.h"
#include "world/lexicon.h"

namespace easel::world {
namespace {

// Phrasing choices: random with an Rng, the first (canonical) option without one.
struct Chooser {
  Rng* rng;
  const std::string& pick(const std::vector<std::string>& options) { return rng ? rng->pick(options) : options[0]; }
  bool chance(float p) { return rng && rng->chance(p); }
};

std::string article_for(const std::string& next_word) {
  return std::string("aeiou").find(next_word[0]) != std::string::npos ? "an" : "a";
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) {
    if (w.empty()) continue;
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

// One noun phrase: "a small red circle", "two green triangles", "a star that is blue", "3 hexagons that are pink".
std::string noun_phrase(const ObjectSpec& o, Chooser& ch) {
  check(o.shape.has_value(), "phrase: every object of a caption needs a shape");
  std::string noun = ch.pick(words_for(*o.shape));
  if (o.count > 1) noun = plural_of(noun);
  std::string size = o.size ? ch.pick(words_for(*o.size)) : "";
  std::string color = o.color ? ch.pick(words_for(*o.color)) : "";
  bool color_after = o.color && ch.chance(0.25f);
  std::string first_adjective = !size.empty() ? size : (!color_after && !color.empty()) ? color : noun;
  std::string det;
  if (o.count == 1)
    det = ch.chance(0.1f) ? "one" : article_for(first_adjective);
  else
    det = ch.chance(0.2f) ? std::to_string(o.count) : number_word(o.count);
  if (color_after) return join({det, size, noun, o.count == 1 ? "that is" : "that are", color});
  return join({det, size, color, noun});
}

const std::vector<std::string> kLeadIns = {"", "", "", "", "a picture of", "an image of", "a drawing of",
                                           "a photo of", "there is"};
const std::vector<std::string> kBackgroundLinks = {"on", "against", "with"};

std::string phrase_with(const SceneSpec& spec, Chooser& ch) {
  check(!spec.objects.empty(), "phrase: a caption needs at least one object");
  std::vector<std::string> nps;
  for (const ObjectSpec& o : spec.objects) nps.push_back(noun_phrase(o, ch));
  std::string body = nps[0];
  for (size_t i = 1; i < nps.size(); ++i) {
    bool related = spec.relation && spec.relation->a == static_cast<int>(i) - 1 && spec.relation->b == static_cast<int>(i);
    std::string link = related ? ch.pick(words_for(spec.relation->relation)) : ch.chance(0.3f) ? "with" : "and";
    body = join({body, link, nps[i]});
  }
  check(!spec.relation || (spec.relation->a == 0 && spec.relation->b == 1),
        "phrase: the grammar relates only the first object to the second");
  if (spec.background) {
    std::string bg = ch.pick(words_for(*spec.background));
    if (ch.chance(0.25f)) return join({article_for(bg), bg, "background with", body});
    body = join({body, ch.pick(kBackgroundLinks), article_for(bg), bg, "background"});
  }
  std::string lead = ch.pick(kLeadIns);
  if (lead == "there is" && spec.objects[0].count > 1) lead = "there are";
  return join({lead, body});
}

}  // namespace

SceneSpec choose_spec(const Scene& scene, Category category, std::optional<Relation> relation, Rng& rng,
                      Detail detail) {
  check(!scene.objects.empty(), "caption: the scene has no objects");
  SceneSpec spec;
  // Whether to state a fact the category states with probability p: chance(1) is always true and draws as well.
  auto says = [&](float p) { return rng.chance(detail == Detail::Complete && p > 0.0f ? 1.0f : p); };
  auto state = [&](const Object& o, float color_p, float size_p) {
    ObjectSpec s;
    s.shape = o.shape;
    if (says(color_p)) s.color = o.color;
    if (says(size_p)) s.size = o.size;
    return s;
  };
  float background_p = scene.background == kDefaultBackground ? 0.15f : 0.3f;
  switch (category) {
    case Category::SingleObject:
      spec.objects.push_back(state(scene.objects[0], 0.7f, 0.3f));
      if (scene.background != kDefaultBackground) background_p = 0.5f;
      break;
    case Category::Colors:
      spec.objects.push_back(state(scene.objects[0], 1.0f, 0.3f));
      background_p = 0.9f;
      break;
    case Category::Counting: {
      ObjectSpec s = state(scene.objects[0], 0.7f, 0.0f);
      s.count = static_cast<int>(scene.objects.size());
      spec.objects.push_back(s);
      break;
    }
    case Category::TwoObjects:
    case Category::ColorAttribution:
    case Category::Position: {
      check(scene.objects.size() == 2, std::string("caption: a ") + name(category) + " scene needs two objects");
      float color_p = category == Category::ColorAttribution ? 1.0f : category == Category::Position ? 0.6f : 0.5f;
      bool swap = rng.chance(0.5f);
      const Object& first = scene.objects[swap ? 1 : 0];
      const Object& second = scene.objects[swap ? 0 : 1];
      spec.objects.push_back(state(first, color_p, 0.15f));
      spec.objects.push_back(state(second, color_p, 0.15f));
      if (category == Category::Position) {
        check(relation.has_value(), "caption: a position scene needs its relation");
        spec.relation = RelationSpec{swap ? converse(*relation) : *relation, 0, 1};
      }
      break;
    }
  }
  if (says(background_p)) spec.background = scene.background;
  return spec;
}

std::string phrase(const SceneSpec& spec, Rng& rng) {
  Chooser ch{&rng};
  return phrase_with(spec, ch);
}

std::string canonical_phrase(const SceneSpec& spec) {
  Chooser ch{nullptr};
  return phrase_with(spec, ch);
}

Caption caption_scene(const Scene& scene, Category category, std::optional<Relation> relation, Rng& rng,
                      Detail detail) {
  Caption c;
  c.spec = choose_spec(scene, category, relation, rng, detail);
  c.text = phrase(c.spec, rng);
  return c;
}

}  // namespace easel::world
