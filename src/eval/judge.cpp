#include "eval/judge.h"

#include <cstdio>

#include "util/error.h"
#include "world/lexicon.h"
#include "world/parse.h"

namespace easel::eval {

std::string describe(const world::Object& o) {
  char where[48];
  std::snprintf(where, sizeof where, " at (%.2f, %.2f)", o.cx, o.cy);
  return std::string(world::name(o.size)) + " " + world::name(o.color) + " " + world::name(o.shape) + where;
}

std::string describe(const Analysis& analysis) {
  std::string out = std::string("background ") + world::name(analysis.background);
  for (const auto& d : analysis.objects) out += "; " + describe(d.object);
  return out;
}

std::vector<uint8_t> rgb_of(const io::Image& image) {
  const size_t n = static_cast<size_t>(image.width) * image.height;
  check(image.channels >= 1 && image.channels <= 4 && image.pixels.size() == n * image.channels,
        "image of " + std::to_string(image.width) + "x" + std::to_string(image.height) + "x" +
            std::to_string(image.channels) + " has " + std::to_string(image.pixels.size()) + " bytes");
  std::vector<uint8_t> rgb(n * 3);
  for (size_t i = 0; i < n; ++i)
    for (int c = 0; c < 3; ++c) rgb[3 * i + c] = image.pixels[i * image.channels + (image.channels >= 3 ? c : 0)];
  return rgb;
}

std::string describe(const world::ObjectSpec& s) {
  static const char* numbers[] = {"", "a", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"};
  std::string out = s.count >= 1 && s.count <= 10 ? numbers[s.count] : std::to_string(s.count);
  if (s.size) out += std::string(" ") + world::name(*s.size);
  if (s.color) out += std::string(" ") + world::name(*s.color);
  if (s.shape) out += " " + (s.count > 1 ? world::plural_of(world::name(*s.shape)) : std::string(world::name(*s.shape)));
  else out += s.count > 1 ? " objects" : " object";
  return out;
}

Verdict judge(const Analysis& analysis, const world::SceneSpec& spec) {
  Verdict v;
  v.analysis = analysis;
  const world::Scene scene = analysis.scene();
  for (const auto& os : spec.objects) {
    ConstraintVerdict c;
    c.constraint = describe(os);
    int found = 0;
    std::string seen;
    for (const auto& o : scene.objects)
      if (world::matches(os, o)) {
        ++found;
        seen += (seen.empty() ? "" : "; ") + describe(o);
      }
    c.pass = os.count >= 2 ? found == os.count : found >= 1;
    c.detail = "found " + std::to_string(found) + (seen.empty() ? "" : ": " + seen);
    v.constraints.push_back(c);
  }
  world::SceneSpec objects_only = spec;
  objects_only.relation.reset();
  objects_only.background.reset();
  const bool objects_ok = world::satisfies(scene, objects_only);
  if (spec.relation) {
    ConstraintVerdict c;
    const auto& r = *spec.relation;
    c.constraint = "object " + std::to_string(r.a + 1) + " " + world::name(r.relation) + " object " +
                   std::to_string(r.b + 1);
    world::SceneSpec with_relation = objects_only;
    with_relation.relation = spec.relation;
    c.pass = objects_ok && world::satisfies(scene, with_relation);
    c.detail = objects_ok ? (c.pass ? "holds" : "the objects are there but not in that relation")
                          : "not judged: the objects are not all there";
    v.constraints.push_back(c);
  }
  if (spec.background) {
    ConstraintVerdict c;
    c.constraint = std::string("background ") + world::name(*spec.background);
    c.pass = analysis.background == *spec.background;
    c.detail = std::string("background is ") + world::name(analysis.background);
    v.constraints.push_back(c);
  }
  v.pass = world::satisfies(scene, spec);
  return v;
}

Verdict judge_image(const uint8_t* rgb, int width, int height, const std::string& prompt) {
  world::ParsedCaption parsed = world::parse_caption(prompt);
  check(!parsed.spec.objects.empty(), "prompt \"" + prompt + "\" names no object the judge can check");
  Verdict v = judge(analyze(rgb, width, height), parsed.spec);
  v.unused_words = parsed.unused;
  return v;
}

double pass_rate(const std::vector<io::Image>& images, const std::vector<std::string>& prompts) {
  check(images.size() == prompts.size() && !images.empty(), "pass_rate: " + std::to_string(images.size()) +
                                                                 " images for " + std::to_string(prompts.size()) +
                                                                 " prompts");
  int passed = 0;
  for (size_t i = 0; i < images.size(); ++i)
    passed += judge_image(rgb_of(images[i]).data(), images[i].width, images[i].height, prompts[i]).pass;
  return double(passed) / double(images.size());
}

}  // namespace easel::eval
