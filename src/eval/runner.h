// A model-agnostic prompt-adherence evaluation, as GenEval (Ghosh et al. 2023) runs one: generate `per_prompt`
// images for every prompt of a list, judge each image against its prompt (judge.h), and score.
//
// Scores: a category's score is the fraction of its images that pass (the mean over images, so every prompt of a
// category weighs the same when all have per_prompt images); `overall` is the mean of the category scores over the
// categories that have images (GenEval's overall: the mean over tasks, not over images). Prompts of no category
// ("custom", from a prompt file) form their own category "custom", which counts toward overall like the others.
//
// Seeds: prompt i is generated with seed world::mix_seed(base seed, i), so one prompt's images do not depend on
// which prompts come before it.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "eval/judge.h"
#include "io/image.h"
#include "world/scene.h"

namespace easel::eval {

struct EvalItem {
  std::optional<world::Category> category;  // empty: "custom"
  std::string prompt;
};

// "single_object", ... or "custom".
std::string category_key(const std::optional<world::Category>& category);

// The prompts of a named suite, "shapes-heldout" or "shapes-seen" (world::make_suite, the same lists as
// data/suites/NAME.txt). Throws easel::Error naming the suite when there is no such suite.
std::vector<EvalItem> suite_items(const std::string& name);

// The category a prompt's constraints fit, by the forms of the suites (world/splits.h): one object with a count
// >= 2 -> counting; one object and a background -> colors; one object -> single_object; two objects in a
// relation -> position; two objects each with a color -> color_attribution; two objects -> two_objects. Any
// other spec (three phrases, a relation with a background, ...) fits none: empty.
std::optional<world::Category> infer_category(const world::SceneSpec& spec);

// A prompt list from a text file, one prompt per line. A "category<TAB>prompt" line (the suite file format) has
// that category ("custom" allowed); any other line's category is infer_category of its parse. Blank lines and
// lines starting with '#' are skipped. Throws easel::Error naming the file when it cannot be read or holds no
// prompt, and naming file:line when a category is unknown or a prompt names no object the judge can check.
std::vector<EvalItem> read_prompt_file(const std::string& path);

// Makes `n` images for `prompt` from `seed` (any size, 1-4 channels). The same arguments must give the same images.
using Generator = std::function<std::vector<io::Image>(const std::string& prompt, int n, uint64_t seed)>;

struct ImageVerdict {
  bool pass = false;
  std::vector<ConstraintVerdict> constraints;  // the judge's explanation, constraint by constraint
  std::string seen;                            // "background white; large red circle at (0.31, 0.42); ..."
};

struct PromptResult {
  EvalItem item;
  uint64_t seed = 0;                    // the seed the generator got
  std::vector<ImageVerdict> images;
  std::vector<std::string> unused_words;  // prompt words the judge's parser could not use
  int passed() const;
};

struct Score {
  int images = 0, passed = 0;
  double fraction() const { return images ? static_cast<double>(passed) / images : 0.0; }
};

struct EvalReport {
  std::string model, suite;  // as given by the caller, for the report
  int per_prompt = 0;
  uint64_t seed = 0;
  std::vector<PromptResult> prompts;
  std::array<Score, world::kNumCategories> categories{};  // indexed by world::Category
  Score custom;
  double overall = 0;
  double seconds = 0;  // wall time of the run, generation included
  // Measures a caller adds beside the scores (name, value), e.g. how far variations move from their source
  // (unclip_model.h); reported after the table and as "measures" in the JSON when there are any.
  std::vector<std::pair<std::string, double>> measures;
};

struct RunOptions {
  int per_prompt = 4;
  uint64_t seed = 1;
  // Prompts generated this many at a time, each generator call on a thread of its own with one intra-op thread
  // (the generator must be safe to call concurrently). Seeds, images and report are the same whatever the count;
  // only the wall time changes (on 2 cores, 2 jobs of one thread each keep both busy where one job of two threads
  // leaves the small products of a mini model half-parallel).
  int jobs = 1;
  std::string model, suite;  // copied into the report
};

// Called after each image is judged (for a contact sheet): prompt index, image index within the prompt.
using ImageObserver = std::function<void(size_t prompt, int k, const io::Image& image, const ImageVerdict& verdict)>;

// Generates and judges every item. Throws easel::Error when per_prompt is outside 1..1024, jobs is outside 1..64,
// the list is empty, a prompt names nothing the judge can check, or the generator returns the wrong number of
// images or an empty or malformed image (naming the prompt); the generator's own errors pass through.
EvalReport run_eval(const std::vector<EvalItem>& items, const Generator& generate, const RunOptions& options,
                    const ImageObserver& observe = {});

// The report as JSON text (2-space indent):
//   {"model", "suite", "per_prompt", "seed",
//    "overall": fraction,
//    "categories": {"single_object", "two_objects", "counting", "colors", "position", "color_attribution":
//                   fraction, or null when the category has no image; plus "custom" only when custom prompts ran},
//    "prompts": [{"category", "prompt", "seed", "passed", "images": [{"pass", "seen",
//                 "constraints": [{"constraint", "pass", "detail"}]}], "unused_words": [...]}],
//    "measures": {name: value} (only when there are any)}
std::string report_json(const EvalReport& report);
// Writes report_json to `path`. Throws easel::Error naming the file when it cannot be written.
void write_report_json(const std::string& path, const EvalReport& report);

// The score table by category, one line each, then overall:
//   category            images  passed  score
//   single_object           80      79  0.988
std::string format_table(const EvalReport& report);

}  // namespace easel::eval
