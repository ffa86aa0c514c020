// The world's random numbers: SplitMix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number generators",
// OOPSLA 2014) with hand-written uniform and integer helpers, so that a seed gives the same scenes with every
// compiler and standard library (std::uniform_*_distribution output is implementation-defined).
#pragma once
#include <cstdint>
#include <vector>

namespace easel::world {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  // The next 64 random bits.
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1) with 24 bits of resolution.
  float unit() { return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f); }
  // Uniform in [lo, hi).
  float uniform(float lo, float hi) { return lo + (hi - lo) * unit(); }
  // Uniform integer in [0, n), n >= 1, without modulo bias (rejection of the biased tail).
  int below(int n) {
    uint64_t bound = static_cast<uint64_t>(n);
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t x;
    do x = next(); while (x >= limit);
    return static_cast<int>(x % bound);
  }
  // Uniform integer in [lo, hi] inclusive.
  int between(int lo, int hi) { return lo + below(hi - lo + 1); }
  // True with probability p.
  bool chance(float p) { return unit() < p; }
  // A uniformly chosen element of a non-empty vector.
  template <class T>
  const T& pick(const std::vector<T>& v) { return v[below(static_cast<int>(v.size()))]; }

 private:
  uint64_t state_;
};

// A seed for item `index` of a stream seeded by `seed`: independent streams per item, so item i can be made
// without making items 0..i-1.
inline uint64_t mix_seed(uint64_t seed, uint64_t index) {
  Rng r(seed ^ (index * 0xD1B54A32D192ED03ull));
  r.next();
  return r.next();
}

}  // namespace easel::world
