#include "domain/pipelines/pipeline_stages.hpp"

#include <set>

#include "domain/records/values.hpp"

namespace relais::domain {
namespace {

Error stages_error(const std::string& why) { return Error::field("stages", why); }

// Common Latin-1 accented letters as UTF-8 → ASCII; enough for French stage names.
std::string fold_accent(std::string_view s, std::size_t& i) {
  static const std::pair<std::string_view, const char*> kFolds[] = {
      {"à", "a"},  {"â", "a"},  {"ä", "a"}, {"á", "a"}, {"ç", "c"}, {"é", "e"}, {"è", "e"},
      {"ê", "e"},  {"ë", "e"},  {"î", "i"}, {"ï", "i"}, {"í", "i"}, {"ô", "o"}, {"ö", "o"},
      {"ó", "o"},  {"ù", "u"},  {"û", "u"}, {"ü", "u"}, {"ú", "u"}, {"ÿ", "y"}, {"ñ", "n"},
      {"œ", "oe"}, {"æ", "ae"}, {"À", "a"}, {"Â", "a"}, {"Ç", "c"}, {"É", "e"}, {"È", "e"},
      {"Ê", "e"},  {"Î", "i"},  {"Ô", "o"}, {"Ù", "u"}, {"Û", "u"}, {"Œ", "oe"}};
  for (const auto& [from, to] : kFolds) {
    if (s.substr(i, from.size()) == from) {
      i += from.size();
      return to;
    }
  }
  ++i;
  return {};
}

}  // namespace

std::string slugify(std::string_view name) {
  std::string out;
  bool pending_sep = false;
  for (std::size_t i = 0; i < name.size();) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    std::string piece;
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      piece = std::string(1, static_cast<char>(c));
      ++i;
    } else if (c >= 'A' && c <= 'Z') {
      piece = std::string(1, static_cast<char>(c - 'A' + 'a'));
      ++i;
    } else if (c >= 0x80) {
      piece = fold_accent(name, i);
    } else {
      ++i;
    }
    if (piece.empty()) {
      pending_sep = !out.empty();
      continue;
    }
    if (pending_sep) out += '_';
    pending_sep = false;
    out += piece;
  }
  if (out.size() > 64) out.resize(64);
  return out.empty() ? "stage" : out;
}

Result<Json> normalize_stages(const Json& stages) {
  if (!stages.is_array() || stages.empty()) return stages_error("needs at least one stage");
  if (stages.size() > 100) return stages_error("has more than 100 stages");
  Json out = Json::array();
  std::set<std::string> ids;
  bool has_open = false;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const Json& s = stages[i];
    const std::string where = "stage " + std::to_string(i + 1) + ": ";
    if (!s.is_object()) return stages_error(where + "must be an object");
    for (const auto& [key, _] : s.items()) {
      if (key != "id" && key != "name" && key != "probability" && key != "kind") {
        return stages_error(where + "unknown field '" + key + "'");
      }
    }
    if (!s.contains("name") || !s["name"].is_string() ||
        trim(s["name"].get_ref<const std::string&>()).empty() ||
        !is_valid_utf8(s["name"].get_ref<const std::string&>())) {
      return stages_error(where + "needs a name");
    }
    const std::string name(trim(s["name"].get_ref<const std::string&>()));
    if (name.size() > 200) return stages_error(where + "name is too long");
    const std::string kind = s.value("kind", "open");
    if (kind != "open" && kind != "won" && kind != "lost") {
      return stages_error(where + "kind must be open, won or lost");
    }
    Json probability = s.value("probability", Json(kind == "won" ? 100 : 0));
    if (!probability.is_number_integer() || probability.get<std::int64_t>() < 0 ||
        probability.get<std::int64_t>() > 100) {
      return stages_error(where + "probability must be an integer from 0 to 100");
    }
    std::string id;
    if (s.contains("id") && !s["id"].is_null()) {
      if (!s["id"].is_string() || s["id"].get_ref<const std::string&>().empty()) {
        return stages_error(where + "id must be a non-empty string");
      }
      id = s["id"].get<std::string>();
      if (id.size() > 64 || slugify(id) != id) {
        return stages_error(where + "id must use a-z, 0-9 and _ only");
      }
      if (!ids.insert(id).second) return stages_error(where + "duplicate id '" + id + "'");
    } else {
      const std::string base = slugify(name);
      id = base;
      for (int n = 2; ids.count(id) != 0; ++n) id = base + "_" + std::to_string(n);
      ids.insert(id);
    }
    has_open = has_open || kind == "open";
    out.push_back({{"id", id}, {"name", name}, {"probability", probability}, {"kind", kind}});
  }
  // Explicit ids given later may collide with generated ones given earlier; checked above
  // only in order, so re-check the whole list.
  if (ids.size() != out.size()) return stages_error("stage ids must be unique");
  if (!has_open) return stages_error("needs at least one open stage");
  return out;
}

}  // namespace relais::domain
