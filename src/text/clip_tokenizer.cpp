#include "text/clip_tokenizer.h"

#include <climits>

#include "text/clip_presplit.h"
#include "text/text_clean.h"
#include "util/error.h"

namespace easel::text {
namespace {

constexpr std::string_view kBos = "<|startoftext|>";
constexpr std::string_view kEos = "<|endoftext|>";

uint64_t pair_key(int a, int b) { return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b); }

}  // namespace

ClipTokenizer ClipTokenizer::load(const std::filesystem::path& path) { return ClipTokenizer(load_clip_vocab(path)); }

ClipTokenizer::ClipTokenizer(const ClipVocab& v) : vocab_(v.tokens) {
  std::unordered_map<std::string, int> ids;
  ids.reserve(vocab_.size());
  for (size_t i = 0; i < vocab_.size(); ++i)
    if (!vocab_[i].empty()) ids.emplace(vocab_[i], static_cast<int>(i));
  auto id_of = [&](const std::string& token, const std::string& what) {
    auto it = ids.find(token);
    if (it == ids.end()) throw Error("bad CLIP vocabulary " + v.source + ": " + what + " " + token + " is not in the vocabulary");
    return it->second;
  };
  const auto& chars = byte_to_unicode();
  for (int b = 0; b < 256; ++b) {
    byte_id_[b] = id_of(chars[static_cast<size_t>(b)], "byte token");
    byte_end_id_[b] = id_of(chars[static_cast<size_t>(b)] + "</w>", "byte token");
  }
  merges_.reserve(v.merges.size());
  for (size_t r = 0; r < v.merges.size(); ++r) {
    const auto& [a, b] = v.merges[r];
    std::string what = "merge " + std::to_string(r + 1) + " (" + a + " " + b + "):";
    // A repeated pair keeps its last rank, as dict(zip(merges, range(len(merges)))) does.
    merges_[pair_key(id_of(a, what), id_of(b, what))] = Merge{static_cast<int>(r), id_of(a + b, what)};
  }
  bos_ = id_of(std::string(kBos), "special token");
  eos_ = id_of(std::string(kEos), "special token");
  pad_ = v.pad_token.empty() ? eos_ : id_of(v.pad_token, "pad token");
}

int ClipTokenizer::pad_id(Pad pad) const {
  switch (pad) {
    case Pad::Eos: return eos_;
    case Pad::Zero: return 0;
    case Pad::Auto: break;
  }
  return pad_;
}

const std::string& ClipTokenizer::token(int id) const {
  static const std::string none;
  return id >= 0 && id < vocab_size() ? vocab_[static_cast<size_t>(id)] : none;
}

void ClipTokenizer::clear_cache() const {
  std::lock_guard<std::mutex> lock(*cache_mutex_);
  cache_.clear();
}

// tokenization_clip.py `bpe`: start from one symbol per byte (the last one with "</w>"); repeatedly take the
// adjacent pair with the lowest merge rank and merge every occurrence of it, left to right, until no pair is a
// merge. Symbols are vocabulary ids: every merge result is itself a vocabulary token.
std::vector<int> ClipTokenizer::bpe(std::string_view piece) const {
  std::vector<int> word(piece.size());
  for (size_t i = 0; i < piece.size(); ++i) {
    auto b = static_cast<unsigned char>(piece[i]);
    word[i] = i + 1 == piece.size() ? byte_end_id_[b] : byte_id_[b];
  }
  std::vector<int> next;
  while (word.size() > 1) {
    int best_rank = INT_MAX;
    uint64_t best = 0;
    int merged = 0;
    for (size_t i = 0; i + 1 < word.size(); ++i) {
      auto it = merges_.find(pair_key(word[i], word[i + 1]));
      if (it != merges_.end() && it->second.rank < best_rank) {
        best_rank = it->second.rank;
        best = it->first;
        merged = it->second.merged;
      }
    }
    if (best_rank == INT_MAX) break;
    next.clear();
    for (size_t i = 0; i < word.size(); ++i) {
      if (i + 1 < word.size() && pair_key(word[i], word[i + 1]) == best) {
        next.push_back(merged);
        ++i;
      } else {
        next.push_back(word[i]);
      }
    }
    word.swap(next);
  }
  return word;
}

void ClipTokenizer::append_piece(std::string_view piece, std::vector<int>& out) const {
  // The reference caches these two as themselves (tokenization_clip.py self.cache).
  if (piece == kBos) return out.push_back(bos_);
  if (piece == kEos) return out.push_back(eos_);
  std::lock_guard<std::mutex> lock(*cache_mutex_);
  auto it = cache_.find(std::string(piece));
  if (it == cache_.end()) it = cache_.emplace(std::string(piece), bpe(piece)).first;
  out.insert(out.end(), it->second.begin(), it->second.end());
}

std::vector<int> ClipTokenizer::encode(std::string_view text) const {
  std::u32string clean = clip_clean_text(text);
  std::vector<int> ids;
  std::string piece;
  for (std::u32string_view p : clip_presplit(clean)) {
    piece.clear();
    append_utf8(piece, p);
    append_piece(piece, ids);
  }
  return ids;
}

std::vector<std::string> ClipTokenizer::tokens(std::string_view text) const {
  std::vector<std::string> out;
  for (int id : encode(text)) out.push_back(token(id));
  return out;
}

ClipTokenizer::Encoded ClipTokenizer::encode_padded(std::string_view text, int max_len, Pad pad, bool truncate) const {
  check(max_len >= 2, "tokenizer max_len must be at least 2 (bos + eos), got " + std::to_string(max_len));
  std::vector<int> ids = encode(text);
  Encoded e;
  size_t room = static_cast<size_t>(max_len - 2);
  if (truncate && ids.size() > room) {
    e.dropped = static_cast<int>(ids.size() - room);
    ids.resize(room);
  }
  e.ids.reserve(std::max(ids.size() + 2, static_cast<size_t>(max_len)));
  e.ids.push_back(bos_);
  e.ids.insert(e.ids.end(), ids.begin(), ids.end());
  e.ids.push_back(eos_);
  e.mask.assign(e.ids.size(), 1);
  if (e.ids.size() < static_cast<size_t>(max_len)) {
    e.mask.resize(static_cast<size_t>(max_len), 0);
    e.ids.resize(static_cast<size_t>(max_len), pad_id(pad));
  }
  return e;
}

std::vector<std::vector<int>> ClipTokenizer::encode_chunks(std::string_view text, int window, Pad pad) const {
  check(window >= 3, "tokenizer window must be at least 3 (bos + token + eos), got " + std::to_string(window));
  std::vector<int> ids = encode(text);
  size_t room = static_cast<size_t>(window - 2);
  std::vector<std::vector<int>> chunks;
  for (size_t start = 0; start < ids.size() || chunks.empty(); start += room) {
    std::vector<int> chunk{bos_};
    chunk.insert(chunk.end(), ids.begin() + static_cast<std::ptrdiff_t>(std::min(start, ids.size())),
                 ids.begin() + static_cast<std::ptrdiff_t>(std::min(start + room, ids.size())));
    chunk.push_back(eos_);
    chunk.resize(static_cast<size_t>(window), pad_id(pad));
    chunks.push_back(std::move(chunk));
  }
  return chunks;
}

}  // namespace easel::text
