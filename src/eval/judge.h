// Prompt adherence: does an image show what a prompt asks? The prompt is parsed into the constraints it states
// (world/parse.h), the image is analyzed (analyzer.h), and each constraint is scored: each object present with
// its stated color, shape and size; each count exact; the relation; the background. The prompt passes when the
// detected scene satisfies all of them at once (world::satisfies), as GenEval scores a prompt.
#pragma once
#include <string>
#include <vector>

#include "eval/analyzer.h"
#include "io/image.h"
#include "world/scene.h"

namespace easel::eval {

struct ConstraintVerdict {
  std::string constraint;  // "a red circle", "three green stars", "object 1 left of object 2", "background white"
  bool pass = false;
  std::string detail;      // what was seen
};

struct Verdict {
  bool pass = false;
  std::vector<ConstraintVerdict> constraints;
  std::vector<std::string> unused_words;  // prompt words the parser could not use
  Analysis analysis;
};

// Judges an analysis against a spec.
Verdict judge(const Analysis& analysis, const world::SceneSpec& spec);
// Parses `prompt`, analyzes the RGB image (HWC, 8-bit) and judges. Throws easel::Error when the prompt states
// nothing the judge can check (no object phrase).
Verdict judge_image(const uint8_t* rgb, int width, int height, const std::string& prompt);

// The fraction of `images` that pass their own prompt (images[i] judged against prompts[i]); throws easel::Error
// when the counts differ or a prompt names no object.
double pass_rate(const std::vector<io::Image>& images, const std::vector<std::string>& prompts);

// The RGB bytes (HWC) of an image with 1-4 channels, the layout analyze() reads: gray is repeated, alpha dropped.
std::vector<uint8_t> rgb_of(const io::Image& image);

// "background white; large red circle at (0.31, 0.42); small blue star at (0.70, 0.52)"
std::string describe(const Analysis& analysis);
// "large red circle at (0.31, 0.42)"
std::string describe(const world::Object& object);
// "a red circle", "three green stars", "a small star"
std::string describe(const world::ObjectSpec& spec);

}  // namespace easel::eval
