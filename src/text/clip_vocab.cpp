#include "text/clip_vocab.h"

#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "text/text_clean.h"
#include "util/error.h"

namespace easel::text {
namespace fs = std::filesystem;
namespace {

// The bytes bytes_to_unicode keeps as their own Latin-1 character.
bool printable_byte(int b) { return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF); }

// Byte values in bytes_to_unicode's order: the printable ranges first, then the rest ascending.
const std::vector<int>& byte_order() {
  static const std::vector<int> order = [] {
    std::vector<int> o;
    for (int b = 0; b < 256; ++b)
      if (printable_byte(b)) o.push_back(b);
    for (int b = 0; b < 256; ++b)
      if (!printable_byte(b)) o.push_back(b);
    return o;
  }();
  return order;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read CLIP vocabulary file " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw Error("cannot read CLIP vocabulary file " + path.string());
  return ss.str();
}

std::string read_gz(const fs::path& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw Error("cannot read CLIP vocabulary file " + path.string());
  std::string out;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  std::string message;
  if (n < 0) {
    int code;
    message = gzerror(f, &code);
  }
  int close = gzclose_r(f);
  if (n < 0 || close != Z_OK)
    throw Error("corrupt gzip file " + path.string() + ": " + (message.empty() ? "truncated stream" : message));
  return out;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (true) {
    size_t nl = text.find('\n', pos);
    lines.push_back(text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
    if (nl == std::string_view::npos) return lines;
    pos = nl + 1;
  }
}

bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// Python's `tuple(line.split())` for one merge line, which must hold exactly two symbols.
std::pair<std::string, std::string> parse_merge(std::string_view line, const fs::path& file, size_t line_no) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < line.size();) {
    while (i < line.size() && is_ascii_space(line[i])) ++i;
    size_t start = i;
    while (i < line.size() && !is_ascii_space(line[i])) ++i;
    if (i > start) parts.emplace_back(line.substr(start, i - start));
  }
  if (parts.size() != 2)
    throw Error("malformed merges in " + file.string() + " line " + std::to_string(line_no + 1) +
                ": expected two symbols, got " + std::to_string(parts.size()));
  return {parts[0], parts[1]};
}

// merges = lines[1 : 1 + kClipMergeCount], the slice both SimpleTokenizer and CLIPTokenizer take.
std::vector<std::pair<std::string, std::string>> parse_merges(std::string_view text, const fs::path& file) {
  std::vector<std::string_view> lines = split_lines(text);
  std::vector<std::pair<std::string, std::string>> merges;
  for (size_t i = 1; i < lines.size() && i <= static_cast<size_t>(kClipMergeCount); ++i)
    merges.push_back(parse_merge(lines[i], file, i));
  if (merges.empty()) throw Error("no BPE merges in " + file.string());
  return merges;
}

ClipVocab load_gz(const fs::path& file) {
  ClipVocab v;
  v.source = file.string();
  std::string text = read_gz(file);
  size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  if (lines <= static_cast<size_t>(kClipMergeCount))
    throw Error("truncated CLIP vocabulary " + file.string() + ": " + std::to_string(lines) +
                " lines, expected a header and " + std::to_string(kClipMergeCount) + " merges");
  v.merges = parse_merges(text, file);
  // SimpleTokenizer: byte characters, the same with "</w>", one token per merge, then the two specials.
  const auto& chars = byte_to_unicode();
  for (int b : byte_order()) v.tokens.push_back(chars[static_cast<size_t>(b)]);
  for (int b : byte_order()) v.tokens.push_back(chars[static_cast<size_t>(b)] + "</w>");
  for (const auto& [a, b] : v.merges) v.tokens.push_back(a + b);
  v.tokens.push_back("<|startoftext|>");
  v.tokens.push_back("<|endoftext|>");
  return v;
}

nlohmann::json parse_json(const fs::path& file) {
  try {
    return nlohmann::json::parse(read_file(file));
  } catch (const nlohmann::json::exception& e) {
    throw Error("malformed JSON in " + file.string() + ": " + e.what());
  }
}

// The pad token a tokenizer folder names: special_tokens_map.json wins over tokenizer_config.json, as in
// transformers' from_pretrained. The entry is a string or an AddedToken object {"content": ...}.
std::string read_pad_token(const fs::path& dir) {
  for (const char* name : {"special_tokens_map.json", "tokenizer_config.json"}) {
    fs::path file = dir / name;
    if (!fs::exists(file)) continue;
    nlohmann::json j = parse_json(file);
    if (!j.is_object() || !j.contains("pad_token")) continue;
    const nlohmann::json& pad = j["pad_token"];
    if (pad.is_string()) return pad.get<std::string>();
    if (pad.is_object() && pad.contains("content") && pad["content"].is_string()) return pad["content"].get<std::string>();
    if (!pad.is_null()) throw Error("malformed pad_token in " + file.string());
  }
  return "";
}

ClipVocab load_hf(const fs::path& vocab_file, const fs::path& merges_file) {
  for (const fs::path& f : {vocab_file, merges_file})
    if (!fs::exists(f)) throw Error("CLIP vocabulary file not found: " + f.string());
  ClipVocab v;
  v.source = vocab_file.string() + " + " + merges_file.string();
  nlohmann::json j = parse_json(vocab_file);
  if (!j.is_object() || j.empty()) throw Error("malformed " + vocab_file.string() + ": expected a token -> id object");
  constexpr int64_t kMaxId = 10'000'000;
  for (const auto& [token, id] : j.items()) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() >= kMaxId)
      throw Error("malformed " + vocab_file.string() + ": token " + nlohmann::json(token).dump() + " has id " + id.dump());
    size_t i = static_cast<size_t>(id.get<int64_t>());
    if (v.tokens.size() <= i) v.tokens.resize(i + 1);
    if (!v.tokens[i].empty())
      throw Error("malformed " + vocab_file.string() + ": id " + std::to_string(i) + " is given twice");
    v.tokens[i] = token;
  }
  // transformers reads merges.txt with .strip() before splitting lines.
  std::string text = read_file(merges_file);
  size_t b = 0, e = text.size();
  while (b < e && is_ascii_space(text[b])) ++b;
  while (e > b && is_ascii_space(text[e - 1])) --e;
  v.merges = parse_merges(std::string_view(text).substr(b, e - b), merges_file);
  v.pad_token = read_pad_token(vocab_file.parent_path());
  return v;
}

ClipVocab load_dir(const fs::path& dir) {
  if (fs::exists(dir / "vocab.json") || fs::exists(dir / "merges.txt")) return load_hf(dir / "vocab.json", dir / "merges.txt");
  if (fs::is_directory(dir / "tokenizer")) return load_dir(dir / "tokenizer");
  if (fs::exists(dir / "bpe_simple_vocab_16e6.txt.gz")) return load_gz(dir / "bpe_simple_vocab_16e6.txt.gz");
  throw Error("no CLIP vocabulary in " + dir.string() +
              " (expected vocab.json + merges.txt, bpe_simple_vocab_16e6.txt.gz, or a tokenizer/ folder)");
}

}  // namespace

const std::vector<std::string>& byte_to_unicode() {
  static const std::vector<std::string> table = [] {
    std::vector<std::string> t(256);
    int next = 256;
    for (int b : byte_order()) {
      char32_t c = printable_byte(b) ? static_cast<char32_t>(b) : static_cast<char32_t>(next++);
      append_utf8(t[static_cast<size_t>(b)], std::u32string_view(&c, 1));
    }
    return t;
  }();
  return table;
}

ClipVocab load_clip_vocab(const fs::path& path) {
  if (!fs::exists(path)) throw Error("CLIP vocabulary not found: " + path.string());
  if (fs::is_directory(path)) return load_dir(path);
  std::string name = path.filename().string();
  if (path.extension() == ".gz") return load_gz(path);
  if (name == "merges.txt") return load_hf(path.parent_path() / "vocab.json", path);
  if (path.extension() == ".json") return load_hf(path, path.parent_path() / "merges.txt");
  throw Error("not a CLIP vocabulary file: " + path.string() +
              " (expected bpe_simple_vocab_16e6.txt.gz, vocab.json, merges.txt or a folder)");
}

}  // namespace easel::text
