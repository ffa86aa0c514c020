// Building a model directly in a dtype: LibTorch creates parameters in the default dtype, so a module constructed
// inside this guard holds bf16 (say) weights from the start and a bf16 run never holds a float32 copy of them.
#pragma once
#include <c10/core/DefaultDtype.h>
#include <c10/core/ScalarTypeToTypeMeta.h>

#include <utility>

namespace easel::models {

class BuildDtypeGuard {
 public:
  explicit BuildDtypeGuard(c10::ScalarType dtype) : saved_(c10::get_default_dtype()) {
    c10::set_default_dtype(c10::scalarTypeToTypeMeta(dtype));
  }
  ~BuildDtypeGuard() { c10::set_default_dtype(saved_); }
  BuildDtypeGuard(const BuildDtypeGuard&) = delete;
  BuildDtypeGuard& operator=(const BuildDtypeGuard&) = delete;

 private:
  caffe2::TypeMeta saved_;
};

// Module(args...) with its parameters created in `dtype`.
template <typename Module, typename... Args>
Module build_in(c10::ScalarType dtype, Args&&... args) {
  BuildDtypeGuard guard(dtype);
  return Module(std::forward<Args>(args)...);
}

}  // namespace easel::models
