#include "eval/eval_sheet.h"

#include <algorithm>
#include <cmath>

namespace easel::eval {

int EvalSheet::columns_for(int prompts, int per_prompt) {
  // A cell is about 1.4 times as tall as wide (the tile plus four lines of text); aim for a square sheet.
  const double square_columns = std::sqrt(1.4 * prompts * per_prompt);
  const int groups = std::clamp(static_cast<int>(std::lround(square_columns / per_prompt)), 1, std::max(1, prompts));
  return groups * per_prompt;
}

EvalSheet::EvalSheet(int prompts, int per_prompt)
    : per_prompt_(per_prompt), sheet_(prompts * per_prompt, columns_for(prompts, per_prompt), kTile, kTextLines) {}

void EvalSheet::add(size_t prompt, int k, const io::Image& image, const std::string& text, bool pass) {
  const io::Rgb8 green = {40, 190, 70}, red = {225, 45, 45}, light = {225, 225, 225};
  sheet_.place(static_cast<int>(prompt) * per_prompt_ + k, image, pass ? green : red,
               {{pass ? "PASS" : "FAIL", pass ? green : red}, {text, light}});
}

}  // namespace easel::eval
