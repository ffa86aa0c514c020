// The restricted unpickler behind torch_pickle.h: a pickle virtual machine (opcodes as defined in CPython's
// Lib/pickletools.py) whose only "callables" are the allowlisted torch rebuild functions, implemented here in
// C++. Objects live in an arena owned by the machine, so cyclic or deeply nested pickles cannot leak memory or
// overflow the stack when freed.
#include <ATen/ATen.h>

#include <cstring>
#include <memory>
#include <set>
#include <unordered_map>
#include <vector>

#include "io/torch_pickle.h"
#include "util/error.h"

namespace easel::io {
namespace {

enum class Kind { None, Bool, Int, Float, String, Bytes, Tuple, List, Dict, Global, Storage, Tensor, Opaque };

// What a global stands for; the only things REDUCE / NEWOBJ / BINPERSID can act on.
enum class Callable { OrderedDict, RebuildTensorV2, RebuildParameter, StorageType, Inert };

struct Obj {
  Kind kind = Kind::None;
  int64_t i = 0;       // Bool, Int; Storage: element count
  double f = 0;        // Float
  std::string s;       // String, Bytes; Global: "module.name"; Storage: key
  std::vector<Obj*> items;                      // Tuple, List
  std::vector<std::pair<Obj*, Obj*>> entries;  // Dict, in insertion order
  Callable callable = Callable::Inert;          // Global
  at::ScalarType dtype = at::kFloat;            // Global storage type, Storage
  at::Tensor tensor;                            // Tensor, Storage (once loaded)
};

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::None: return "None";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::String: return "str";
    case Kind::Bytes: return "bytes";
    case Kind::Tuple: return "tuple";
    case Kind::List: return "list";
    case Kind::Dict: return "dict";
    case Kind::Global: return "global";
    case Kind::Storage: return "storage";
    case Kind::Tensor: return "tensor";
    case Kind::Opaque: return "object";
  }
  return "?";
}

struct AllowedGlobal {
  Callable callable;
  at::ScalarType dtype;
};

// The allowlist (see torch_pickle.h). Storage types map to the dtype of their elements.
const std::map<std::string, AllowedGlobal>& allowed_globals() {
  static const std::map<std::string, AllowedGlobal> table = {
      {"collections.OrderedDict", {Callable::OrderedDict, at::kFloat}},
      {"torch._utils._rebuild_tensor_v2", {Callable::RebuildTensorV2, at::kFloat}},
      {"torch._utils._rebuild_parameter", {Callable::RebuildParameter, at::kFloat}},
      {"torch._utils._rebuild_parameter_with_state", {Callable::RebuildParameter, at::kFloat}},
      {"torch.FloatStorage", {Callable::StorageType, at::kFloat}},
      {"torch.HalfStorage", {Callable::StorageType, at::kHalf}},
      {"torch.BFloat16Storage", {Callable::StorageType, at::kBFloat16}},
      {"torch.DoubleStorage", {Callable::StorageType, at::kDouble}},
      {"torch.LongStorage", {Callable::StorageType, at::kLong}},
      {"torch.IntStorage", {Callable::StorageType, at::kInt}},
      {"torch.ShortStorage", {Callable::StorageType, at::kShort}},
      {"torch.CharStorage", {Callable::StorageType, at::kChar}},
      {"torch.ByteStorage", {Callable::StorageType, at::kByte}},
      {"torch.BoolStorage", {Callable::StorageType, at::kBool}},
      // Inert: found in the training metadata of real .ckpt files (the same names AUTOMATIC1111's
      // modules/safe.py admits); never called, only placeholders for values that are ignored.
      {"numpy.core.multiarray.scalar", {Callable::Inert, at::kFloat}},
      {"numpy.core.multiarray._reconstruct", {Callable::Inert, at::kFloat}},
      {"numpy.dtype", {Callable::Inert, at::kFloat}},
      {"numpy.ndarray", {Callable::Inert, at::kFloat}},
      {"_codecs.encode", {Callable::Inert, at::kFloat}},
      {"builtins.set", {Callable::Inert, at::kFloat}},
      {"__builtin__.set", {Callable::Inert, at::kFloat}},
      {"pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint", {Callable::Inert, at::kFloat}},
  };
  return table;
}

constexpr size_t kMaxFlattenDepth = 64;

class Machine {
 public:
  Machine(const uint8_t* data, size_t size, const StorageReader& storages, const std::string& name)
      : p_(data), end_(data + size), begin_(data), storages_(storages), name_(name) {}

  Obj* run();

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(name_ + ": bad pickle at byte " + std::to_string(op_pos_) + ": " + what);
  }

  Obj* make(Kind k) {
    arena_.push_back(std::make_unique<Obj>());
    arena_.back()->kind = k;
    return arena_.back().get();
  }
  Obj* make_int(int64_t v) {
    Obj* o = make(Kind::Int);
    o->i = v;
    return o;
  }
  Obj* make_string(Kind k, const uint8_t* d, size_t n) {
    Obj* o = make(k);
    o->s.assign(reinterpret_cast<const char*>(d), n);
    return o;
  }

  // Input.
  const uint8_t* take(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) fail("truncated (needs " + std::to_string(n) + " more bytes)");
    const uint8_t* d = p_;
    p_ += n;
    return d;
  }
  uint64_t read_le(size_t n) {
    const uint8_t* d = take(n);
    uint64_t v = 0;
    for (size_t k = 0; k < n; ++k) v |= static_cast<uint64_t>(d[k]) << (8 * k);
    return v;
  }
  std::string read_line() {
    const uint8_t* nl = static_cast<const uint8_t*>(std::memchr(p_, '\n', end_ - p_));
    if (!nl) fail("truncated (unterminated text argument)");
    std::string line(reinterpret_cast<const char*>(p_), nl - p_);
    p_ = nl + 1;
    return line;
  }
  int64_t parse_decimal(const std::string& text) {
    std::string t = text;
    if (!t.empty() && t.back() == 'L') t.pop_back();  // protocol-0 LONG suffix
    if (t.empty() || t.size() > 19) fail("bad decimal '" + text.substr(0, 32) + "'");
    size_t pos = 0;
    int64_t v = 0;
    try {
      v = std::stoll(t, &pos);
    } catch (const std::exception&) {
      fail("bad decimal '" + text.substr(0, 32) + "'");
    }
    if (pos != t.size()) fail("bad decimal '" + text.substr(0, 32) + "'");
    return v;
  }

  // Stack.
  Obj* pop() {
    if (stack_.size() <= mark_floor()) fail("stack underflow");
    Obj* o = stack_.back();
    stack_.pop_back();
    return o;
  }
  Obj* top() {
    if (stack_.size() <= mark_floor()) fail("stack underflow");
    return stack_.back();
  }
  size_t mark_floor() const { return marks_.empty() ? 0 : marks_.back(); }
  // Pops everything above the topmost MARK, and the mark.
  std::vector<Obj*> pop_to_mark() {
    if (marks_.empty()) fail("no MARK on the stack");
    size_t m = marks_.back();
    marks_.pop_back();
    std::vector<Obj*> items(stack_.begin() + m, stack_.end());
    stack_.resize(m);
    return items;
  }
  Obj* tuple_of(std::vector<Obj*> items) {
    Obj* t = make(Kind::Tuple);
    t->items = std::move(items);
    return t;
  }

  // Memo.
  void memo_put(uint64_t index) { memo_[index] = top(); }
  Obj* memo_get(uint64_t index) {
    auto it = memo_.find(index);
    if (it == memo_.end()) fail("memo index " + std::to_string(index) + " not defined");
    return it->second;
  }

  void push_global(const std::string& module, const std::string& qualname);
  void set_items(Obj* dict, const std::vector<Obj*>& kv);
  void append_items(Obj* list, const std::vector<Obj*>& items);
  Obj* call(Obj* callable, Obj* args);
  Obj* persistent_load(Obj* pid);
  Obj* rebuild_tensor(const std::vector<Obj*>& args);
  std::vector<int64_t> int_tuple(Obj* o, const char* what);
  void step(uint8_t op);

  const uint8_t* p_;
  const uint8_t* end_;
  const uint8_t* begin_;
  const StorageReader& storages_;
  const std::string& name_;
  size_t op_pos_ = 0;
  std::vector<Obj*> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, Obj*> memo_;
  std::unordered_map<std::string, at::Tensor> loaded_;  // storage key -> typed 1-D tensor
  std::vector<std::unique_ptr<Obj>> arena_;
  bool stopped_ = false;
};

void Machine::push_global(const std::string& module, const std::string& qualname) {
  std::string full = module + "." + qualname;
  auto it = allowed_globals().find(full);
  if (it == allowed_globals().end()) {
    std::string shown = full.size() > 120 ? full.substr(0, 120) + "..." : full;
    throw Error(name_ + ": refusing pickle global '" + shown +
                "' (not a state-dict type; a checkpoint that names it could run code when loaded by Python)");
  }
  Obj* g = make(Kind::Global);
  g->s = full;
  g->callable = it->second.callable;
  g->dtype = it->second.dtype;
  stack_.push_back(g);
}

void Machine::set_items(Obj* dict, const std::vector<Obj*>& kv) {
  if (dict->kind == Kind::Opaque) return;  // e.g. state of an inert object
  if (dict->kind != Kind::Dict) fail(std::string("SETITEM(S) on a ") + kind_name(dict->kind));
  if (kv.size() % 2) fail("SETITEMS with an odd number of items");
  for (size_t k = 0; k < kv.size(); k += 2) {
    Obj* key = kv[k];
    bool replaced = false;
    if (key->kind == Kind::String || key->kind == Kind::Int) {  // keep the last value of a repeated key
      for (auto& e : dict->entries)
        if (e.first->kind == key->kind && e.first->s == key->s && e.first->i == key->i) {
          e.second = kv[k + 1];
          replaced = true;
          break;
        }
    }
    if (!replaced) dict->entries.emplace_back(key, kv[k + 1]);
  }
}

void Machine::append_items(Obj* list, const std::vector<Obj*>& items) {
  if (list->kind == Kind::Opaque) return;
  if (list->kind != Kind::List) fail(std::string("APPEND(S) on a ") + kind_name(list->kind));
  list->items.insert(list->items.end(), items.begin(), items.end());
}

std::vector<int64_t> Machine::int_tuple(Obj* o, const char* what) {
  if (o->kind != Kind::Tuple) fail(std::string("tensor ") + what + " is a " + kind_name(o->kind) + ", not a tuple");
  std::vector<int64_t> v;
  for (Obj* e : o->items) {
    if (e->kind != Kind::Int) fail(std::string("tensor ") + what + " holds a " + kind_name(e->kind));
    if (e->i < 0) fail(std::string("negative tensor ") + what + " " + std::to_string(e->i));
    v.push_back(e->i);
  }
  return v;
}

// torch/serialization.py persistent_load: ('storage', storage_type, key, location, numel).
Obj* Machine::persistent_load(Obj* pid) {
  if (pid->kind != Kind::Tuple || pid->items.size() != 5 || pid->items[0]->kind != Kind::String ||
      pid->items[0]->s != "storage")
    fail("persistent id is not ('storage', type, key, location, numel)");
  Obj* type = pid->items[1];
  Obj* key = pid->items[2];
  Obj* numel = pid->items[4];
  if (type->kind != Kind::Global || type->callable != Callable::StorageType)
    fail("persistent id names no torch storage type");
  if (key->kind != Kind::String) fail("storage key is not a string");
  if (numel->kind != Kind::Int || numel->i < 0) fail("storage size is not a non-negative int");
  Obj* st = make(Kind::Storage);
  st->s = key->s;
  st->i = numel->i;
  st->dtype = type->dtype;
  return st;
}

// torch/_utils.py _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[,
// metadata]): the tensor is storage.as_strided(size, stride, storage_offset).
Obj* Machine::rebuild_tensor(const std::vector<Obj*>& args) {
  if (args.size() < 4) fail("_rebuild_tensor_v2 needs at least 4 arguments");
  Obj* st = args[0];
  if (st->kind != Kind::Storage) fail("_rebuild_tensor_v2 argument 1 is not a storage");
  if (args[1]->kind != Kind::Int || args[1]->i < 0) fail("bad storage offset");
  int64_t offset = args[1]->i;
  std::vector<int64_t> size = int_tuple(args[2], "size");
  std::vector<int64_t> stride = int_tuple(args[3], "stride");
  if (size.size() != stride.size()) fail("tensor size and stride differ in length");
  // Elements the view reaches: offset + sum((size_i - 1) * stride_i) + 1 (none when any size is 0).
  bool empty = false;
  int64_t last = offset;
  for (size_t d = 0; d < size.size(); ++d) {
    if (size[d] == 0) empty = true;
    int64_t span = 0;
    if (size[d] > 0 && (__builtin_mul_overflow(size[d] - 1, stride[d], &span) ||
                        __builtin_add_overflow(last, span, &last)))
      fail("tensor size/stride overflow");
  }
  int64_t needed = empty ? offset : last + 1;
  if (needed > st->i)
    throw Error(name_ + ": storage '" + st->s + "' holds " + std::to_string(st->i) +
                " elements but a tensor of size/stride/offset there needs " + std::to_string(needed));
  auto it = loaded_.find(st->s);
  if (it == loaded_.end()) {
    at::Tensor data = storages_(st->s, st->dtype, st->i);
    it = loaded_.emplace(st->s, data).first;
  }
  const at::Tensor& data = it->second;
  if (data.scalar_type() != st->dtype || data.numel() != st->i)
    throw Error(name_ + ": storage '" + st->s + "' is used with two different types or sizes");
  Obj* t = make(Kind::Tensor);
  t->tensor = data.as_strided(size, stride, offset);
  return t;
}

Obj* Machine::call(Obj* callable, Obj* args) {
  if (callable->kind != Kind::Global) fail(std::string("call of a ") + kind_name(callable->kind));
  if (args->kind != Kind::Tuple) fail("call arguments are not a tuple");
  switch (callable->callable) {
    case Callable::OrderedDict:
      if (!args->items.empty()) fail("OrderedDict called with arguments");
      return make(Kind::Dict);
    case Callable::RebuildTensorV2:
      return rebuild_tensor(args->items);
    case Callable::RebuildParameter:  // (data, requires_grad, backward_hooks[, state]): the data tensor
      if (args->items.empty() || args->items[0]->kind != Kind::Tensor)
        fail("_rebuild_parameter argument 1 is not a tensor");
      return args->items[0];
    case Callable::StorageType:
      fail("a storage type called directly");
    case Callable::Inert:
      return make(Kind::Opaque);
  }
  fail("unreachable");
}

void Machine::step(uint8_t op) {
  switch (op) {
    case 0x80: take(1); break;                // PROTO
    case 0x95: take(8); break;                // FRAME: frames are only a read-ahead hint
    case '.': stopped_ = true; break;         // STOP
    case '(': marks_.push_back(stack_.size()); break;  // MARK
    case '0': pop(); break;                   // POP
    case '1': pop_to_mark(); break;           // POP_MARK
    case '2': stack_.push_back(top()); break;  // DUP
    case 'N': stack_.push_back(make(Kind::None)); break;
    case 0x88:                                // NEWTRUE
    case 0x89: {                              // NEWFALSE
      Obj* b = make(Kind::Bool);
      b->i = op == 0x88;
      stack_.push_back(b);
      break;
    }
    case 'J': stack_.push_back(make_int(static_cast<int32_t>(read_le(4)))); break;  // BININT
    case 'K': stack_.push_back(make_int(read_le(1))); break;                        // BININT1
    case 'M': stack_.push_back(make_int(read_le(2))); break;                        // BININT2
    case 0x8a:                                                                      // LONG1
    case 0x8b: {                                                                    // LONG4
      uint64_t n = read_le(op == 0x8a ? 1 : 4);
      if (n > 8) fail("integer wider than 64 bits");
      uint64_t v = n ? read_le(n) : 0;
      if (n && n < 8 && (v >> (8 * n - 1)) & 1) v |= ~uint64_t(0) << (8 * n);  // sign-extend
      stack_.push_back(make_int(static_cast<int64_t>(v)));
      break;
    }
    case 'I': {  // INT (protocol 0; "01"/"00" are True/False)
      std::string t = read_line();
      if (t == "01" || t == "00") {
        Obj* b = make(Kind::Bool);
        b->i = t == "01";
        stack_.push_back(b);
      } else {
        stack_.push_back(make_int(parse_decimal(t)));
      }
      break;
    }
    case 'L': stack_.push_back(make_int(parse_decimal(read_line()))); break;  // LONG (protocol 0)
    case 'G': {                                                               // BINFLOAT, big-endian
      const uint8_t* d = take(8);
      uint64_t bits = 0;
      for (int k = 0; k < 8; ++k) bits = bits << 8 | d[k];
      Obj* f = make(Kind::Float);
      std::memcpy(&f->f, &bits, 8);
      stack_.push_back(f);
      break;
    }
    case 'X':                                                                         // BINUNICODE
    case 0x8c:                                                                        // SHORT_BINUNICODE
    case 0x8d:                                                                        // BINUNICODE8
    case 'T':                                                                         // BINSTRING
    case 'U':                                                                         // SHORT_BINSTRING
    case 'B':                                                                         // BINBYTES
    case 'C':                                                                         // SHORT_BINBYTES
    case 0x8e: {                                                                      // BINBYTES8
      size_t width = (op == 0x8c || op == 'U' || op == 'C') ? 1 : (op == 0x8d || op == 0x8e) ? 8 : 4;
      uint64_t n = read_le(width);
      if (op == 'T' && (n >> 31)) fail("negative string length");
      if (n > static_cast<uint64_t>(end_ - p_)) fail("truncated (string of " + std::to_string(n) + " bytes)");
      const uint8_t* d = take(n);
      Kind k = (op == 'B' || op == 'C' || op == 0x8e) ? Kind::Bytes : Kind::String;
      stack_.push_back(make_string(k, d, n));
      break;
    }
    case ')': stack_.push_back(make(Kind::Tuple)); break;  // EMPTY_TUPLE
    case 't': stack_.push_back(tuple_of(pop_to_mark())); break;  // TUPLE
    case 0x85:                                                   // TUPLE1
    case 0x86:                                                   // TUPLE2
    case 0x87: {                                                 // TUPLE3
      size_t n = op - 0x84;
      std::vector<Obj*> items(n);
      for (size_t k = n; k-- > 0;) items[k] = pop();
      stack_.push_back(tuple_of(std::move(items)));
      break;
    }
    case ']': stack_.push_back(make(Kind::List)); break;  // EMPTY_LIST
    case 0x8f: stack_.push_back(make(Kind::List)); break;  // EMPTY_SET (kept as a list; sets hold no tensors here)
    case 'l': {                                           // LIST
      Obj* l = make(Kind::List);
      l->items = pop_to_mark();
      stack_.push_back(l);
      break;
    }
    case 0x91: {  // FROZENSET
      Obj* l = make(Kind::List);
      l->items = pop_to_mark();
      stack_.push_back(l);
      break;
    }
    case 'a': {  // APPEND
      Obj* v = pop();
      append_items(top(), {v});
      break;
    }
    case 'e':     // APPENDS
    case 0x90: {  // ADDITEMS
      std::vector<Obj*> items = pop_to_mark();
      append_items(top(), items);
      break;
    }
    case '}': stack_.push_back(make(Kind::Dict)); break;  // EMPTY_DICT
    case 'd': {                                           // DICT
      std::vector<Obj*> kv = pop_to_mark();
      Obj* d = make(Kind::Dict);
      set_items(d, kv);
      stack_.push_back(d);
      break;
    }
    case 's': {  // SETITEM
      Obj* v = pop();
      Obj* k = pop();
      set_items(top(), {k, v});
      break;
    }
    case 'u': {  // SETITEMS
      std::vector<Obj*> kv = pop_to_mark();
      set_items(top(), kv);
      break;
    }
    case 'c': {  // GLOBAL "module\nname\n"
      std::string module = read_line();
      std::string qualname = read_line();
      push_global(module, qualname);
      break;
    }
    case 0x93: {  // STACK_GLOBAL
      Obj* qualname = pop();
      Obj* module = pop();
      if (module->kind != Kind::String || qualname->kind != Kind::String) fail("STACK_GLOBAL of non-strings");
      push_global(module->s, qualname->s);
      break;
    }
    case 'R':     // REDUCE
    case 0x81: {  // NEWOBJ (cls, args): the same for the allowlisted types
      Obj* args = pop();
      Obj* callable = pop();
      stack_.push_back(call(callable, args));
      break;
    }
    case 'b': {  // BUILD: sets attributes (e.g. an OrderedDict's _metadata), never items; ignored
      pop();
      top();
      break;
    }
    case 'Q': stack_.push_back(persistent_load(pop())); break;  // BINPERSID
    case 'h': stack_.push_back(memo_get(read_le(1))); break;    // BINGET
    case 'j': stack_.push_back(memo_get(read_le(4))); break;    // LONG_BINGET
    case 'g': stack_.push_back(memo_get(parse_decimal(read_line()))); break;  // GET
    case 'q': memo_put(read_le(1)); break;                                    // BINPUT
    case 'r': memo_put(read_le(4)); break;                                    // LONG_BINPUT
    case 'p': memo_put(parse_decimal(read_line())); break;                    // PUT
    case 0x94: memo_put(memo_.size()); break;                                 // MEMOIZE
    default: {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", op);
      fail(std::string("unsupported opcode ") + hex);
    }
  }
}

Obj* Machine::run() {
  while (!stopped_) {
    op_pos_ = p_ - begin_;
    if (p_ == end_) fail("truncated (no STOP opcode)");
    step(*p_++);
  }
  if (stack_.size() != 1 || !marks_.empty()) fail("STOP with " + std::to_string(stack_.size()) + " values on the stack");
  return stack_.back();
}

// Collects the tensors of a (possibly nested) dict under '.'-joined keys; see torch_pickle.h. A dict reached a
// second time (shared through the memo, or cyclic) is skipped, so hostile pickles cannot blow up the walk.
void flatten(const Obj* dict, const std::string& prefix, size_t depth, std::set<const Obj*>& seen, TensorMap& out,
             const std::string& name) {
  if (depth > kMaxFlattenDepth) throw Error(name + ": dicts nested deeper than " + std::to_string(kMaxFlattenDepth));
  if (!seen.insert(dict).second) return;
  for (const auto& [key, value] : dict->entries) {
    std::string k;
    if (key->kind == Kind::String) k = key->s;
    else if (key->kind == Kind::Int) k = std::to_string(key->i);
    else continue;
    std::string full = prefix.empty() ? k : prefix + "." + k;
    if (value->kind == Kind::Tensor) {
      if (!out.emplace(full, value->tensor).second) throw Error(name + ": tensor '" + full + "' appears twice");
    } else if (value->kind == Kind::Dict) {
      flatten(value, full, depth + 1, seen, out, name);
    }
  }
}

}  // namespace

StateDict unpickle_state_dict(const uint8_t* pickle, size_t size, const StorageReader& storages,
                              const std::string& name) {
  Machine machine(pickle, size, storages, name);
  const Obj* root = machine.run();
  if (root->kind != Kind::Dict)
    throw Error(name + ": the pickle holds a " + kind_name(root->kind) + ", not a state dict");
  for (const auto& [key, value] : root->entries)
    if (key->kind == Kind::String && key->s == "state_dict" && value->kind == Kind::Dict) {
      root = value;
      break;
    }
  StateDict sd;
  std::set<const Obj*> seen;
  flatten(root, "", 0, seen, sd.tensors, name);
  return sd;
}

}  // namespace easel::io
