// Reads a caption or prompt back into the constraints it states (SceneSpec). It accepts every phrasing of the
// caption grammar (caption.h) and reasonable others: synonyms ("box", "disc", "violet", "grey", "turquoise",
// "tiny", "huge", "moon", "plus"), plurals, digits and number words up to ten, post-modifiers ("a star that is
// blue", "a star in blue", "a blue colored star"), relations ("to the right of", "on top of", "under",
// "beneath"), and backgrounds ("on a white background", "a black backdrop with ..."). Filler words ("a picture
// of", "there is", "showing") are used silently; any other word it could not fit is reported.
#pragma once
#include <string>
#include <vector>

#include "world/scene.h"

namespace easel::world {

struct ParsedCaption {
  SceneSpec spec;
  std::vector<std::string> unused;  // words of the text it could not use, in order (lowercase)
};

// Parses `text` (any case, punctuation ignored). Never throws: what it cannot read ends up in `unused`. A
// relation word relates the object phrase before it to the one after it; a second relation, a relation without
// an object on each side, adjectives without a shape noun and a second background are unused.
ParsedCaption parse_caption(const std::string& text);

}  // namespace easel::world
