// The words of the shapes world's caption grammar, shared by the grammar (caption.h), which draws from them, and
// the parser (parse.h), which accepts all of them and some more. A word may be several tokens ("crescent moon");
// tokens are lowercase ASCII.
#pragma once
#include <string>
#include <vector>

#include "world/scene.h"

namespace easel::world {

// The grammar's names of a shape, color or size; the first is the canonical name() of scene.h.
//   circle: circle, disk  diamond: diamond, rhombus  cross: cross, plus sign  ring: ring, donut
//   crescent: crescent, crescent moon  purple: purple, violet  gray: gray, grey
//   small: small, little  medium: medium, medium sized  large: large, big
const std::vector<std::string>& words_for(Shape s);
const std::vector<std::string>& words_for(Color c);
const std::vector<std::string>& words_for(Size s);
// The grammar's phrasings of a relation: "to the left of", "left of", "on the left of"; ...; "above", "over",
// "on top of"; "below", "under", "beneath", "underneath".
const std::vector<std::string>& words_for(Relation r);

// English plural of a (possibly multi-token) noun: the last token takes -es after s, x, ch, sh, else -s.
std::string plural_of(const std::string& noun);

// The number words for 1..10 ("one" ... "ten").
const std::string& number_word(int n);

}  // namespace easel::world
