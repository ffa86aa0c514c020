// The contact sheet of an evaluation run (runner.h), for a person to look at: one cell per generated image, in
// prompt order with a prompt's images side by side (each row holds whole prompts), framed green when the image
// passes and red when it fails, with PASS/FAIL and the prompt written under it.
#pragma once
#include <string>

#include "io/contact_sheet.h"

namespace easel::eval {

class EvalSheet {
 public:
  // Tile side of each image on the sheet (generated images are scaled to it); text lines under each image.
  static constexpr int kTile = 128, kTextLines = 4;
  // Columns for `prompts` x `per_prompt` cells: a multiple of per_prompt that makes the sheet roughly square.
  static int columns_for(int prompts, int per_prompt);

  // Throws easel::Error as io::ContactSheet does (no font, too many cells).
  EvalSheet(int prompts, int per_prompt);
  // Draws image k of prompt `prompt`.
  void add(size_t prompt, int k, const io::Image& image, const std::string& text, bool pass);
  const io::Image& image() const { return sheet_.image(); }

 private:
  int per_prompt_;
  io::ContactSheet sheet_;
};

}  // namespace easel::eval
