#include "util/progress.h"

#include <unistd.h>

#include <cstdio>

namespace easel {

Progress::Progress(std::string label, int total, bool enabled)
    : label_(std::move(label)), total_(total), enabled_(enabled), tty_(isatty(STDERR_FILENO)),
      start_(std::chrono::steady_clock::now()) {}

void Progress::step(const std::string& extra) {
  ++done_;
  if (!enabled_ || total_ <= 0) return;
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = secs > 0 ? done_ / secs : 0.0;
  double eta = rate > 0 ? (total_ - done_) / rate : 0.0;
  int decile = done_ * 10 / total_;
  if (!tty_ && decile == last_decile_ && done_ != total_) return;
  last_decile_ = decile;
  std::fprintf(stderr, "%s%s %d/%d  %.2f it/s  ETA %.1fs%s%s", tty_ ? "\r" : "", label_.c_str(), done_, total_,
               rate, eta, extra.empty() ? "" : "  ", extra.c_str());
  if (!tty_) std::fputc('\n', stderr);
  std::fflush(stderr);
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (enabled_ && tty_ && done_ > 0) std::fputc('\n', stderr);
}

Progress::~Progress() { finish(); }

}  // namespace easel
