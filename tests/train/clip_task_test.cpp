// easel-mini CLIP's evaluation line: the two probes (turned relations, swapped colours) count exactly the validation
// items they apply to, each changed caption false of its scene, and report right / of.
#include <gtest/gtest.h>
#include <torch/torch.h>

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
}
