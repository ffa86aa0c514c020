// easel's one error type. Every failure a user can cause (bad file, bad prompt, bad option) is thrown as
// easel::Error with a one-line message that names the input; apps catch it, print it and exit non-zero.
#pragma once
#include <stdexcept>
#include <string>

namespace easel {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Throws easel::Error(message) when cond is false.
inline void check(bool cond, const std::string& message) {
  if (!cond) throw Error(message);
}

}  // namespace easel
