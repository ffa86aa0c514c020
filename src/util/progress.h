// A progress line on stderr for long loops (denoising steps, training): "label  i/N  it/s  ETA".
// Redraws in place on a terminal; prints one line per 10% otherwise, so logs stay short.
#pragma once
#include <chrono>
#include <string>

namespace easel {

class Progress {
 public:
  Progress(std::string label, int total, bool enabled = true);
  void step(const std::string& extra = "");  // one unit done
  void finish();                             // ends the line
  ~Progress();

 private:
  std::string label_;
  int total_, done_ = 0, last_decile_ = -1;
  bool enabled_, tty_, finished_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace easel
