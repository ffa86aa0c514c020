// Where a command writes its images: -o out.png for one image, out-0.png, out-1.png... for several. Existing
// files are never replaced unless the user says --overwrite (nothing the user has is lost without asking).
#pragma once
#include <string>
#include <vector>

namespace easel::app {

// The n output paths for `out`; throws easel::Error naming the first that exists when overwrite is false, and when
// the folder does not exist.
std::vector<std::string> output_paths(const std::string& out, int n, bool overwrite);

}  // namespace easel::app
