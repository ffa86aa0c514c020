// Trains easel-mini's CLIP: contrastive pairs of rendered scenes and their captions (Radford et al. 2021). With
// {"training": {"hard_negatives": true}} in its config each item also brings a caption of its scene with one fact
// wrong (world/hard_negative.h, NegCLIP), which its image must rank below its own caption; with
// "relation_negatives": true as well, many of them get the relation wrong (NegativeMix::Relations). With
// "complete_captions": p, each item's caption is with probability p replaced by one of the same scene stating every
// color, size and background (world::Detail::Complete; MODEL_CARD tenth try: it did not improve colour binding
// here); validation keeps the grammar's captions. With "swapped_twins": true, every item whose caption names two
// objects in two colours brings its colour-swapped twin (world::swap_colours) into the batch as one more pair, picture
// and caption: the twin's picture is then a negative of the item's caption and the other way round, in both
// directions of the loss, which a CLIP that sees only which colours and shapes are present cannot rank. With
// "turned_twins": true, likewise every item whose caption states a relation between its two objects brings its
// turned twin (world::turn_relation: the objects' places exchanged, the relation turned), which a CLIP that does not
// see where things are cannot rank (relation hard negatives alone did not teach that: MODEL_CARD, eighth try).
#include <torch/torch.h>

#include <functional>
#include <sstream>

#include "models/mini_clip.h"
#include "train/mini_configs.h"
#include "train/tasks.h"
#include "train/world_batch.h"
#include "world/hard_negative.h"
#include "world/render.h"
#include "world/splits.h"
#include "world/stream.h"
#include "util/error.h"

namespace easel::train {
namespace {

class ClipTask : public Task {
 public:
  explicit ClipTask(const TaskOptions& o) : seed_(o.seed) {
    if (o.tokenizer.is_null()) {
      tokenizer_ = text::WordTokenizer(world_vocabulary(o.seed, 20000), 32);
    } else {
      tokenizer_ = text::WordTokenizer::from_json(o.tokenizer, "checkpoint");
    }
    // A config without a text encoder is a patch over the default (patched_config passes clip's patch on: the
    // default depends on the vocabulary).
    config_ = default_clip_config(tokenizer_.vocab_size(), tokenizer_.max_length());
    if (o.config.is_object() && o.config.contains("text"))
      config_ = o.config;
    else if (!o.config.is_null())
      config_.merge_patch(o.config);
    model_ = models::MiniClip(models::MiniClipConfig::from_json(config_, "clip config"));
    const nlohmann::json training = config_.value("training", nlohmann::json::object());
    check(training.is_object(), "clip config: \"training\" must be an object");
    const nlohmann::json hard = training.value("hard_negatives", nlohmann::json(false));
    check(hard.is_boolean(), "clip config: training.hard_negatives must be true or false");
    hard_negatives_ = hard.get<bool>();
    const nlohmann::json rel = training.value("relation_negatives", nlohmann::json(false));
    check(rel.is_boolean(), "clip config: training.relation_negatives must be true or false");
    check(!rel.get<bool>() || hard_negatives_, "clip config: training.relation_negatives needs hard_negatives");
    mix_ = rel.get<bool>() ? world::NegativeMix::Relations : world::NegativeMix::Basic;
    const nlohmann::json complete = training.value("complete_captions", nlohmann::json(0.0));
    check(complete.is_number() && complete.get<double>() >= 0.0 && complete.get<double>() <= 1.0,
          "clip config: training.complete_captions must be a probability in [0, 1], not " + complete.dump());
    complete_captions_ = complete.get<float>();
    const nlohmann::json twins = training.value("swapped_twins", nlohmann::json(false));
    check(twins.is_boolean(), "clip config: training.swapped_twins must be true or false");
    swapped_twins_ = twins.get<bool>();
    const nlohmann::json turned = training.value("turned_twins", nlohmann::json(false));
    check(turned.is_boolean(), "clip config: training.turned_twins must be true or false");
    turned_twins_ = turned.get<bool>();
  }
  std::string kind() const override { return "clip"; }
  torch::nn::Module& module() override { return *model_; }

  torch::Tensor loss(uint64_t first, int64_t count) override {
    WorldBatch b = world_batch(seed_, first, count, int(model_->config.image_size));
    if (complete_captions_ > 0.0f) make_complete(b, first);
    std::vector<uint64_t> keys = item_keys(first, b.scenes.size());
    if (swapped_twins_ || turned_twins_) add_twins(b, keys);
    if (!hard_negatives_) return model_->contrastive_loss(b.images, tokenizer_.encode_batch(b.captions));
    Negatives n = negatives(b, seed_, keys);
    return model_->contrastive_loss(b.images, tokenizer_.encode_batch(b.captions), n.ids, n.valid);
  }

  // Appends each item's colour-swapped and turned twins (as the config asks; scene, spec, a caption worded by a draw
  // of the item's own, picture) where it has them and they show and state nothing held out; keys gains each twin's
  // key (its item's with bit 63 set for a colour swap, bit 62 for a turned relation), from which its hard negative is
  // drawn.
  void add_twins(WorldBatch& b, std::vector<uint64_t>& keys) const {
    using Maker = std::optional<world::SwappedTwin> (*)(const world::Scene&, const world::SceneSpec&);
    const struct {
      bool on;
      Maker make;
      uint64_t bit;
    } kinds[] = {{swapped_twins_, world::swap_colours, uint64_t(1) << 63},
                 {turned_twins_, world::turn_relation, uint64_t(1) << 62}};
    const size_t count = b.scenes.size();
    for (size_t i = 0; i < count; ++i) {
      for (const auto& kind : kinds) {
        if (!kind.on) continue;
        std::optional<world::SwappedTwin> t = kind.make(b.scenes[i], b.specs[i]);
        if (!t || world::renders_held_out(t->scene) || world::states_held_out(t->spec)) continue;
        const uint64_t key = keys[i] | kind.bit;
        world::Rng rng(seed_ * 0x94D049BB133111EBull ^ (key + 1) * 0xBF58476D1CE4E5B9ull);
        b.captions.push_back(world::phrase(t->spec, rng));
        b.specs.push_back(t->spec);
        b.scenes.push_back(t->scene);
        keys.push_back(key);
      }
    }
    if (b.scenes.size() == count) return;
    const std::vector<world::Scene> twins(b.scenes.begin() + std::ptrdiff_t(count), b.scenes.end());
    b.images = torch::cat({b.images, world::render_batch(twins, int(b.images.size(-1)))});
  }

  // The stream indices of items [first, first + count): the keys their per-item draws come from.
  static std::vector<uint64_t> item_keys(uint64_t first, size_t count) {
    std::vector<uint64_t> keys(count);
    for (size_t i = 0; i < count; ++i) keys[i] = first + uint64_t(i);
    return keys;
  }

  // Items [first, first + count) of the training stream, each caption restated completely with probability
  // complete_captions_ (a draw of the item's own, so any item can be made alone).
  void make_complete(WorldBatch& b, uint64_t first) const {
    for (size_t i = 0; i < b.captions.size(); ++i) {
      const uint64_t index = first + uint64_t(i);
      world::Rng rng(seed_ * 0xC2B2AE3D27D4EB4Full ^ (index + 1) * 0x165667B19E3779F9ull);
      if (!rng.chance(complete_captions_)) continue;
      world::Caption c = world::training_example(seed_, index, world::Detail::Complete).caption;
      b.captions[i] = c.text;
      b.specs[i] = c.spec;
    }
  }

  // Item i's hard negative, drawn from (seed, i) alone like every other draw of an item; valid false (and an empty
  // caption) where hard_negative found none.
  struct Negatives {
    torch::Tensor ids, valid;
    std::vector<world::Fact> facts;  // what each valid one gets wrong
  };
  // b: items of the stream `seed`, row i drawn from keys[i] (an item's index in the stream).
  Negatives negatives(const WorldBatch& b, uint64_t seed, const std::vector<uint64_t>& keys) const {
    const int64_t count = int64_t(b.scenes.size());
    std::vector<std::string> texts;
    std::vector<world::Fact> facts;
    torch::Tensor valid = torch::zeros({count}, torch::kBool);
    for (int64_t i = 0; i < count; ++i) {
      const uint64_t index = keys[size_t(i)];
      world::Rng rng(seed * 0x9E3779B97F4A7C15ull ^ (index + 1) * 0xD1B54A32D192ED03ull);
      std::optional<world::HardNegative> neg =
          world::hard_negative(b.scenes[size_t(i)], b.specs[size_t(i)], rng, mix_);
      texts.push_back(neg ? neg->text : "");
      valid[i] = neg.has_value();
      facts.push_back(neg ? neg->fact : world::Fact::Size);
    }
    return {tokenizer_.encode_batch(texts), valid, facts};
  }

  // Retrieval accuracy in a batch of 256 validation items: image -> its caption and caption -> its image.
  std::string evaluate() override {
    WorldBatch b = world_batch(validation_seed(seed_), 0, 256, int(model_->config.image_size));
    torch::Tensor img = model_->encode_image(b.images);
    torch::Tensor txt = model_->encode_text(tokenizer_.encode_batch(b.captions)).embeds;
    torch::Tensor sim = img.matmul(txt.t());
    torch::Tensor labels = torch::arange(256, torch::kInt64);
    const double i2t = sim.argmax(1).eq(labels).to(torch::kFloat).mean().item<double>();
    const double t2i = sim.argmax(0).eq(labels).to(torch::kFloat).mean().item<double>();
    // Hard-negative accuracy: how often an image is closer to its caption than to the same caption with one fact
    // wrong (a size, a colour binding, a relation...): what random-pair retrieval does not measure.
    Negatives n = negatives(b, validation_seed(seed_), item_keys(0, b.scenes.size()));
    torch::Tensor neg = model_->encode_text(n.ids).embeds;
    torch::Tensor right = sim.diagonal().gt((img * neg).sum(1)).logical_and(n.valid);
    const double hard = right.sum().item<double>() / std::max(1.0, n.valid.sum().item<double>());
    std::ostringstream s;
    s.precision(3);
    s << "val top1 image->text " << i2t << " text->image " << t2i << ", hard negatives " << hard << " (";
    // By the fact changed (the validation negatives are drawn with the training mix): right / of.
    int of[world::kFacts] = {}, ok[world::kFacts] = {};
    const auto valid = n.valid.accessor<bool, 1>();
    const auto hit = right.accessor<bool, 1>();
    for (int64_t i = 0; i < valid.size(0); ++i)
      if (valid[i]) ++of[int(n.facts[size_t(i)])], ok[int(n.facts[size_t(i)])] += hit[i];
    for (int f = 0; f < world::kFacts; ++f) s << (f ? ", " : "") << world::name(world::Fact(f)) << " " << ok[f] << "/" << of[f];
    s << "); turned relations " << turned_relations(b, img) << ", swapped colours " << swapped_colours(b, img)
      << " " << swap_cosines(b, img);
    return s.str();
  }

  // Which side loses the colour-to-shape binding. Over the swapped-colours items: the mean cosine of each caption's
  // text embedding with the swapped caption's, and of each image's embedding with that of the same scene rendered
  // with the two colours swapped (every object of one colour given the other); beside them, for scale, the same
  // with the first object's colour changed to one the scene does not have (a change any bag of colours sees). A
  // side whose swap cosine is near 1 while its colour-change cosine is not cannot tell the bindings apart.
  std::string swap_cosines(const WorldBatch& b, const torch::Tensor& img) {
    std::vector<std::string> own, swapped, recoloured;
    std::vector<world::Scene> swapped_scenes, recoloured_scenes;
    std::vector<int64_t> rows;
    for (size_t i = 0; i < b.specs.size(); ++i) {
      std::optional<world::SwappedTwin> twin = world::swap_colours(b.scenes[i], b.specs[i]);
      if (!twin) continue;  // the swapped-colours probe's items exactly
      const world::Scene& scene = b.scenes[i];
      const world::SceneSpec& s = b.specs[i];
      const world::Color x = *s.objects[0].color;
      auto used = [&](world::Color c) {
        if (c == scene.background) return true;
        for (const world::Object& o : scene.objects)
          if (o.color == c) return true;
        return false;
      };
      int third = (int(x) + 1 + int(i)) % world::kNumColors;
      while (used(world::Color(third))) third = (third + 1) % world::kNumColors;
      world::SceneSpec rc = s;
      rc.objects[0].color = world::Color(third);
      world::Scene rs = scene;
      for (world::Object& o : rs.objects)
        if (o.color == x) o.color = world::Color(third);
      own.push_back(world::canonical_phrase(s));
      swapped.push_back(world::canonical_phrase(twin->spec));
      recoloured.push_back(world::canonical_phrase(rc));
      swapped_scenes.push_back(twin->scene);
      recoloured_scenes.push_back(rs);
      rows.push_back(int64_t(i));
    }
    if (rows.empty()) return "(no swap cosines)";
    const int64_t size = model_->config.image_size;
    const double d = double(model_->config.embed_dim);  // embeddings have norm sqrt(embed_dim)
    auto text = [&](const std::vector<std::string>& t) { return model_->encode_text(tokenizer_.encode_batch(t)).embeds; };
    auto mean_cos = [d](const torch::Tensor& a, const torch::Tensor& c) { return (a * c).sum(1).mean().item<double>() / d; };
    const torch::Tensor t0 = text(own), im0 = img.index_select(0, torch::tensor(rows));
    std::ostringstream s;
    s.precision(3);
    s << "(cosine of the swap: text " << mean_cos(t0, text(swapped)) << ", image "
      << mean_cos(im0, model_->encode_image(world::render_batch(swapped_scenes, int(size)))) << "; of one colour changed: text "
      << mean_cos(t0, text(recoloured)) << ", image "
      << mean_cos(im0, model_->encode_image(world::render_batch(recoloured_scenes, int(size)))) << ")";
    return s.str();
  }

  // Two probes of what CLIP sees, whatever the training mix: of the validation items whose caption states a relation
  // (turned relations) or two colours of two different shapes (swapped colours), how many images are closer to their
  // caption than to the same caption with the relation turned around ("left of" <-> "right of") or the two colours
  // swapped, a caption false of the scene: whether CLIP sees where things are and which colour goes with which shape.
  // A probe's change: the caption to test against, from the scene and its spec; none where it does not apply.
  using SpecChange = std::function<std::optional<world::SceneSpec>(const world::Scene&, world::SceneSpec)>;
  std::string turned_relations(const WorldBatch& b, const torch::Tensor& img) {
    return probe(b, img, [](const world::Scene&, world::SceneSpec s) -> std::optional<world::SceneSpec> {
      if (!s.relation) return std::nullopt;
      s.relation->relation = world::converse(s.relation->relation);
      return s;
    });
  }
  std::string swapped_colours(const WorldBatch& b, const torch::Tensor& img) {
    return probe(b, img, [](const world::Scene& scene, world::SceneSpec s) -> std::optional<world::SceneSpec> {
      std::optional<world::SwappedTwin> twin = world::swap_colours(scene, s);
      if (!twin) return std::nullopt;
      return twin->spec;
    });
  }
  // Right / of for the items where `change` gives a caption false of the scene; both captions in canonical wording.
  std::string probe(const WorldBatch& b, const torch::Tensor& img, const SpecChange& change) {
    std::vector<std::string> texts, changed;
    std::vector<int64_t> rows;
    for (size_t i = 0; i < b.specs.size(); ++i) {
      std::optional<world::SceneSpec> t = change(b.scenes[i], b.specs[i]);
      if (!t || world::satisfies(b.scenes[i], *t)) continue;
      texts.push_back(world::canonical_phrase(b.specs[i]));
      changed.push_back(world::canonical_phrase(*t));
      rows.push_back(int64_t(i));
    }
    if (rows.empty()) return "0/0";
    torch::Tensor im = img.index_select(0, torch::tensor(rows));
    torch::Tensor own = (im * model_->encode_text(tokenizer_.encode_batch(texts)).embeds).sum(1);
    torch::Tensor other = (im * model_->encode_text(tokenizer_.encode_batch(changed)).embeds).sum(1);
    return std::to_string(own.gt(other).sum().item<int64_t>()) + "/" + std::to_string(rows.size());
  }

  std::optional<io::Image> sample_grid() override { return std::nullopt; }

  std::map<std::string, std::string> metadata() const override {
    return {{"config", config_.dump()}, {"tokenizer", tokenizer_.to_json().dump()}};
  }

 private:
  uint64_t seed_;
  text::WordTokenizer tokenizer_;
  nlohmann::json config_;
  models::MiniClip model_{nullptr};
  bool hard_negatives_ = false;
  float complete_captions_ = 0.0f;
  bool swapped_twins_ = false, turned_twins_ = false;
  world::NegativeMix mix_ = world::NegativeMix::Basic;
};

}  // namespace

std::unique_ptr<Task> make_clip_task(const TaskOptions& o) { return std::make_unique<ClipTask>(o); }

}  // namespace easel::train
