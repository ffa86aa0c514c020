// make_sampler's name table: the CLI names of every sampler and the factory each file provides.
#include <utility>

#include "sampling/factories.h"
#include "sampling/sampler.h"
#include "sampling/vp_solver.h"
#include "util/error.h"

namespace easel::sampling {

namespace {

const std::vector<std::pair<std::string, SamplerFactory>>& table() {
  static const std::vector<std::pair<std::string, SamplerFactory>> t = {
      {"ddim", make_ddim},
      {"ddpm", make_ddpm},
      {"pndm", make_pndm},
      {"lcm", make_lcm},
      {"euler", make_euler},
      {"euler_a", make_euler_ancestral},
      {"heun", make_heun},
      {"lms", make_lms},
      {"kdpm2", make_kdpm2},
      {"kdpm2_a", make_kdpm2_ancestral},
      // The DPM-Solver family takes extra SolverOptions; the CLI uses their diffusers defaults.
      {"dpmpp_2m", [](const NoiseConfig& c, const SamplerOptions& o) { return make_dpmpp_2m(c, o); }},
      {"dpmpp_2m_sde", [](const NoiseConfig& c, const SamplerOptions& o) { return make_dpmpp_2m_sde(c, o); }},
      {"dpmpp_2s", [](const NoiseConfig& c, const SamplerOptions& o) { return make_dpmpp_2s(c, o); }},
      {"unipc", [](const NoiseConfig& c, const SamplerOptions& o) { return make_unipc(c, o); }},
      {"deis", [](const NoiseConfig& c, const SamplerOptions& o) { return make_deis(c, o); }},
  };
  return t;
}

}  // namespace

std::vector<std::string> sampler_names() {
  std::vector<std::string> names;
  for (const auto& entry : table()) names.push_back(entry.first);
  return names;
}

std::unique_ptr<Sampler> make_sampler(const std::string& name, const NoiseConfig& config,
                                      const SamplerOptions& options) {
  for (const auto& [n, factory] : table())
    if (n == name) return factory(config, options);
  std::string known;
  for (const auto& n : sampler_names()) known += (known.empty() ? "" : ", ") + n;
  throw Error("unknown sampler '" + name + "' (known: " + known + ")");
}

}  // namespace easel::sampling
