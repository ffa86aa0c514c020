// easel-mini CLIP's evaluation line: the two probes (turned relations, swapped colours) count exactly the validation
// items they apply to, each changed caption false of its scene, and report right / of; the swap cosines that follow
// are cosines.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <regex>

#include "train/task.h"
#include "train/tasks.h"
#include "train/tiny_configs.h"
#include "train/world_batch.h"
#include "world/scene.h"

using namespace easel;

TEST(ClipEvaluation, ProbesCountTheItemsTheyApplyTo) {
  text::WordTokenizer tok(train::world_vocabulary(1, 2000), 24);
  train::TaskOptions o;
  o.tokenizer = tok.to_json();
  o.config = test::tiny_clip_config(tok.vocab_size(), tok.max_length());
  std::unique_ptr<train::Task> task = train::make_task("clip", o);
  torch::NoGradGuard no_grad;
  task->module().eval();
  const std::string line = task->evaluate();

  // The same 256 validation items, counted here by hand.
  train::WorldBatch b = train::world_batch(train::validation_seed(o.seed), 0, 256, 16);
  int relations = 0, colours = 0;
  for (const world::SceneSpec& s : b.specs) {
    relations += s.relation.has_value();
    if (s.objects.size() == 2 && s.objects[0].color && s.objects[1].color &&
        *s.objects[0].color != *s.objects[1].color && s.objects[0].shape != s.objects[1].shape)
      ++colours;
  }
  ASSERT_GT(relations, 10);
  ASSERT_GT(colours, 10);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(line, m, std::regex(R"(turned relations (\d+)/(\d+), swapped colours (\d+)/(\d+))")))
      << line;
  EXPECT_EQ(std::stoi(m[2]), relations) << line;
  EXPECT_EQ(std::stoi(m[4]), colours) << line;  // a two-object scene with its colours swapped is never true of it
  EXPECT_LE(std::stoi(m[1]), relations);
  EXPECT_LE(std::stoi(m[3]), colours);

  // The swap cosines over the same items: four cosines of embeddings of norm sqrt(embed_dim), each in [-1, 1]; a
  // swapped render is a different picture, so no image cosine is exactly 1.
  const std::string num = R"((-?[0-9.]+(?:e-?[0-9]+)?))";
  ASSERT_TRUE(std::regex_search(line, m, std::regex(R"(\(cosine of the swap: text )" + num + ", image " + num +
                                                    "; of one colour changed: text " + num + ", image " + num + R"(\))")))
      << line;
  for (int k = 1; k <= 4; ++k) {
    EXPECT_GE(std::stod(m[k]), -1.0001) << line;
    EXPECT_LE(std::stod(m[k]), 1.0001) << line;
  }
  EXPECT_LT(std::stod(m[2]), 0.99999) << line;
  EXPECT_LT(std::stod(m[4]), 0.99999) << line;
}

// "swapped_twins" and "turned_twins": each item whose caption binds two colours to two shapes (or states a relation
// between its two objects) brings its colour-swapped (or turned) twin into the batch, so the loss of the same items
// changes, and each kind of twin changes it differently; anything but true or false is refused.
TEST(ClipTraining, SwappedAndTurnedTwinsJoinTheBatch) {
  text::WordTokenizer tok(train::world_vocabulary(1, 2000), 24);
  auto task_with = [&](const nlohmann::json& training) {
    train::TaskOptions o;
    o.tokenizer = tok.to_json();
    o.config = test::tiny_clip_config(tok.vocab_size(), tok.max_length());
    o.config["training"] = training;
    return train::make_task("clip", o);
  };
  auto plain = task_with({{"hard_negatives", true}});
  auto swapped = task_with({{"hard_negatives", true}, {"swapped_twins", true}});
  auto turned = task_with({{"hard_negatives", true}, {"turned_twins", true}});
  auto both = task_with({{"hard_negatives", true}, {"swapped_twins", true}, {"turned_twins", true}});
  torch::NoGradGuard no_grad;
  // The same weights in all, so that only the batch can differ.
  auto from = plain->module().named_parameters();
  for (auto* t : {&swapped, &turned, &both})
    for (auto& p : (*t)->module().named_parameters()) p.value().copy_(from[p.key()]);
  const double a = plain->loss(0, 64).item<double>(), b = swapped->loss(0, 64).item<double>(),
               c = turned->loss(0, 64).item<double>(), d = both->loss(0, 64).item<double>();
  for (double x : {b, c, d}) EXPECT_TRUE(std::isfinite(x));
  EXPECT_NE(a, b);  // the same weights and items: only the twins differ
  EXPECT_NE(a, c);
  EXPECT_NE(b, c);
  EXPECT_NE(b, d);
  EXPECT_NE(c, d);
  EXPECT_EQ(plain->loss(0, 64).item<double>(), a);  // and a plain batch is still the same batch
  EXPECT_EQ(both->loss(0, 64).item<double>(), d);
  for (const char* key : {"swapped_twins", "turned_twins"}) {
    try {
      task_with({{key, 1}});
      FAIL() << "a non-boolean " << key << " was accepted";
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  }
}
