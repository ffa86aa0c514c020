#include "eval/runner.h"

#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <thread>

#include "util/error.h"
#include "world/parse.h"
#include "world/rng.h"
#include "world/splits.h"

namespace easel::eval {
namespace {

world::ParsedCaption parse_checked(const std::string& prompt, const std::string& where) {
  world::ParsedCaption parsed = world::parse_caption(prompt);
  check(!parsed.spec.objects.empty(), where + "prompt \"" + prompt + "\" names no object the judge can check");
  return parsed;
}

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

bool valid_image(const io::Image& img) {
  return img.width >= 1 && img.height >= 1 && img.channels >= 1 && img.channels <= 4 &&
         img.pixels.size() == static_cast<size_t>(img.width) * img.height * img.channels;
}

nlohmann::json fraction_or_null(const Score& s) {
  return s.images ? nlohmann::json(s.fraction()) : nlohmann::json(nullptr);
}

}  // namespace

std::string category_key(const std::optional<world::Category>& category) {
  return category ? world::name(*category) : "custom";
}

std::vector<EvalItem> suite_items(const std::string& name) {
  check(name == "shapes-heldout" || name == "shapes-seen",
        "unknown suite \"" + name + "\" (the suites are shapes-heldout and shapes-seen)");
  std::vector<EvalItem> items;
  for (const auto& p : world::make_suite(name == "shapes-heldout")) items.push_back({p.category, p.prompt});
  return items;
}

std::optional<world::Category> infer_category(const world::SceneSpec& spec) {
  using world::Category;
  const auto& o = spec.objects;
  if (o.size() == 1 && !spec.relation) {
    if (o[0].count >= 2) return spec.background ? std::nullopt : std::optional(Category::Counting);
    return spec.background ? Category::Colors : Category::SingleObject;
  }
  if (o.size() != 2 || spec.background || o[0].count != 1 || o[1].count != 1) return std::nullopt;
  if (spec.relation) return Category::Position;
  return o[0].color && o[1].color ? Category::ColorAttribution : Category::TwoObjects;
}

std::vector<EvalItem> read_prompt_file(const std::string& path) {
  check(!std::filesystem::is_directory(path), "cannot read prompt file " + path + ": it is a folder");
  std::ifstream in(path);
  check(in.good(), "cannot read prompt file " + path);
  std::vector<EvalItem> items;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string where = path + ":" + std::to_string(number) + ": ";
    const std::string text = trim(line);
    if (text.empty() || text[0] == '#') continue;
    EvalItem item;
    const size_t tab = line.find('\t');
    if (tab != std::string::npos) {
      const std::string key = trim(line.substr(0, tab));
      item.prompt = trim(line.substr(tab + 1));
      if (key != "custom") {
        try {
          item.category = world::category_from_name(key);
        } catch (const Error& e) {
          throw Error(where + e.what());
        }
      }
      parse_checked(item.prompt, where);
    } else {
      item.prompt = text;
      item.category = infer_category(parse_checked(item.prompt, where).spec);
    }
    items.push_back(std::move(item));
  }
  check(!in.bad(), "cannot read prompt file " + path);
  check(!items.empty(), "prompt file " + path + " holds no prompt");
  return items;
}

int PromptResult::passed() const {
  int n = 0;
  for (const auto& v : images) n += v.pass;
  return n;
}

namespace {

// Every prompt's images, prompt p from seed mix_seed(options.seed, p): in order on this thread with one job, else
// on options.jobs threads taking the next prompt as they finish one. The first error (in prompt order) is rethrown
// once all have stopped.
std::vector<std::vector<io::Image>> generate_all(const std::vector<EvalItem>& items, const Generator& generate,
                                                 const RunOptions& options) {
  std::vector<std::vector<io::Image>> made(items.size());
  auto one = [&](size_t p) {
    made[p] = generate(items[p].prompt, options.per_prompt, world::mix_seed(options.seed, p));
  };
  if (options.jobs == 1) {
    for (size_t p = 0; p < items.size(); ++p) one(p);
    return made;
  }
  std::vector<std::exception_ptr> errors(items.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    at::set_num_threads(1);  // per thread: OpenMP's thread count is each thread's own setting
    for (size_t p; (p = next++) < items.size();) {
      try {
        one(p);
      } catch (...) {
        errors[p] = std::current_exception();
        next = items.size();  // stop taking prompts
      }
    }
  };
  std::vector<std::thread> threads;
  for (int j = 0; j < std::min<int>(options.jobs, int(items.size())); ++j) threads.emplace_back(work);
  for (auto& t : threads) t.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  return made;
}

}  // namespace

EvalReport run_eval(const std::vector<EvalItem>& items, const Generator& generate, const RunOptions& options,
                    const ImageObserver& observe) {
  check(options.per_prompt >= 1 && options.per_prompt <= 1024,
        "images per prompt " + std::to_string(options.per_prompt) + " is outside 1..1024");
  check(!items.empty(), "no prompts to evaluate");
  // Every prompt is parsed before anything is generated, so a bad one fails fast.
  std::vector<world::ParsedCaption> parsed;
  for (const auto& item : items) parsed.push_back(parse_checked(item.prompt, ""));

  check(options.jobs >= 1 && options.jobs <= 64, "eval jobs " + std::to_string(options.jobs) + " is outside 1..64");
  const auto start = std::chrono::steady_clock::now();
  const std::vector<std::vector<io::Image>> made = generate_all(items, generate, options);
  EvalReport report;
  report.model = options.model, report.suite = options.suite;
  report.per_prompt = options.per_prompt, report.seed = options.seed;
  for (size_t p = 0; p < items.size(); ++p) {
    PromptResult result;
    result.item = items[p];
    result.seed = world::mix_seed(options.seed, p);
    result.unused_words = parsed[p].unused;
    const std::vector<io::Image>& images = made[p];
    check(static_cast<int>(images.size()) == options.per_prompt,
          "the model returned " + std::to_string(images.size()) + " images for prompt \"" + items[p].prompt +
              "\" (asked for " + std::to_string(options.per_prompt) + ")");
    Score& score = items[p].category ? report.categories[static_cast<int>(*items[p].category)] : report.custom;
    for (int k = 0; k < options.per_prompt; ++k) {
      check(valid_image(images[k]), "the model returned an empty or malformed image " + std::to_string(k) +
                                        " for prompt \"" + items[p].prompt + "\"");
      const std::vector<uint8_t> rgb = rgb_of(images[k]);
      const Verdict v = judge(analyze(rgb, images[k].width, images[k].height), parsed[p].spec);
      ImageVerdict iv{v.pass, v.constraints, describe(v.analysis)};
      ++score.images;
      score.passed += iv.pass;
      if (observe) observe(p, k, images[k], iv);
      result.images.push_back(std::move(iv));
    }
    report.prompts.push_back(std::move(result));
  }
  double sum = 0;
  int scored = 0;
  for (const Score* s = report.categories.data(); s != report.categories.data() + world::kNumCategories; ++s)
    if (s->images) sum += s->fraction(), ++scored;
  if (report.custom.images) sum += report.custom.fraction(), ++scored;
  report.overall = sum / scored;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

std::string report_json(const EvalReport& r) {
  nlohmann::ordered_json j;
  j["model"] = r.model;
  j["suite"] = r.suite;
  j["per_prompt"] = r.per_prompt;
  j["seed"] = r.seed;
  j["overall"] = r.overall;
  nlohmann::ordered_json categories = nlohmann::ordered_json::object();
  for (int c = 0; c < world::kNumCategories; ++c)
    categories[world::name(world::Category(c))] = fraction_or_null(r.categories[c]);
  if (r.custom.images) categories["custom"] = r.custom.fraction();
  j["categories"] = categories;
  nlohmann::ordered_json prompts = nlohmann::ordered_json::array();
  for (const auto& p : r.prompts) {
    nlohmann::ordered_json jp;
    jp["category"] = category_key(p.item.category);
    jp["prompt"] = p.item.prompt;
    jp["seed"] = p.seed;
    jp["passed"] = p.passed();
    nlohmann::ordered_json images = nlohmann::ordered_json::array();
    for (const auto& v : p.images) {
      nlohmann::ordered_json ji;
      ji["pass"] = v.pass;
      ji["seen"] = v.seen;
      nlohmann::ordered_json constraints = nlohmann::ordered_json::array();
      for (const auto& c : v.constraints)
        constraints.push_back({{"constraint", c.constraint}, {"pass", c.pass}, {"detail", c.detail}});
      ji["constraints"] = constraints;
      images.push_back(ji);
    }
    jp["images"] = images;
    jp["unused_words"] = p.unused_words;
    prompts.push_back(jp);
  }
  j["prompts"] = prompts;
  if (!r.measures.empty()) {
    nlohmann::ordered_json measures = nlohmann::ordered_json::object();
    for (const auto& [name, value] : r.measures) measures[name] = value;
    j["measures"] = measures;
  }
  // Prompts are UTF-8 from the user; replace invalid bytes rather than throw mid-report.
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

void write_report_json(const std::string& path, const EvalReport& report) {
  const std::string text = report_json(report);
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  check(out.good(), "cannot write report " + path);
}

std::string format_table(const EvalReport& r) {
  std::string out;
  char line[128];
  std::snprintf(line, sizeof line, "%-20s %7s %7s %7s\n", "category", "images", "passed", "score");
  out += line;
  auto row = [&](const std::string& key, const Score& s) {
    if (!s.images) std::snprintf(line, sizeof line, "%-20s %7d %7s %7s\n", key.c_str(), 0, "-", "-");
    else std::snprintf(line, sizeof line, "%-20s %7d %7d %7.3f\n", key.c_str(), s.images, s.passed, s.fraction());
    out += line;
  };
  for (int c = 0; c < world::kNumCategories; ++c) row(world::name(world::Category(c)), r.categories[c]);
  if (r.custom.images) row("custom", r.custom);
  std::snprintf(line, sizeof line, "%-36s %7.3f   (mean of the category scores)\n", "overall", r.overall);
  out += line;
  for (const auto& [name, value] : r.measures) {
    std::snprintf(line, sizeof line, "%-36s %7.2f\n", name.c_str(), value);
    out += line;
  }
  return out;
}

}  // namespace easel::eval
