// Internal: one factory per sampler file, collected by the table in registry.cpp. A new sampler adds its
// declaration here and one line to that table.
#pragma once
#include <memory>

#include "sampling/sampler.h"

namespace easel::sampling {

using SamplerFactory = std::unique_ptr<Sampler> (*)(const NoiseConfig&, const SamplerOptions&);

std::unique_ptr<Sampler> make_ddim(const NoiseConfig& config, const SamplerOptions& options);
std::unique_ptr<Sampler> make_ddpm(const NoiseConfig& config, const SamplerOptions& options);
std::unique_ptr<Sampler> make_pndm(const NoiseConfig& config, const SamplerOptions& options);
std::unique_ptr<Sampler> make_lcm(const NoiseConfig& config, const SamplerOptions& options);
std::unique_ptr<Sampler> make_euler(const NoiseConfig& config, const SamplerOptions& options);
std::unique_ptr<Sampler> make_euler_ancestral(const NoiseConfig& config, const SamplerOptions& options);
std::unique_ptr<Sampler> make_heun(const NoiseConfig& config, const SamplerOptions& options);
std::unique_ptr<Sampler> make_lms(const NoiseConfig& config, const SamplerOptions& options);
std::unique_ptr<Sampler> make_kdpm2(const NoiseConfig& config, const SamplerOptions& options);
std::unique_ptr<Sampler> make_kdpm2_ancestral(const NoiseConfig& config, const SamplerOptions& options);

}  // namespace easel::sampling
