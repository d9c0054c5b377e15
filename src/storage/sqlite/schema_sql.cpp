#include "storage/sqlite/schema_sql.hpp"

#include <fmt/format.h>

#include <unordered_map>

#include "storage/sqlite/record_codec.hpp"

namespace relais::storage::sqlite {
namespace {

std::unique_ptr<SchemaSql> build(const domain::EntitySchema& schema) {
  auto out = std::make_unique<SchemaSql>();
  const std::string table = quote_ident(schema.plural);
  std::string columns;
  std::string placeholders;
  for (const auto& f : schema.fields) {
    if (f.name == "id") continue;
    columns += (columns.empty() ? "" : ", ") + quote_ident(f.name);
    placeholders += placeholders.empty() ? "?" : ", ?";
  }
  out->insert = fmt::format("INSERT INTO {} ({}) VALUES ({})", table, columns, placeholders);
  out->select_by_id =
      fmt::format("SELECT {} FROM {} AS t WHERE t.id = ?", select_columns(schema, "t"), table);
  out->select_version = fmt::format("SELECT version FROM {} WHERE id = ?", table);
  out->remove = fmt::format("DELETE FROM {} WHERE id = ?", table);

  std::string fts_columns = "rowid";
  std::string fts_placeholders = "?";
  for (std::size_t i = 0; i < schema.fields.size(); ++i) {
    if (!schema.fields[i].searchable) continue;
    out->fts_fields.push_back(i);
    fts_columns += ", " + quote_ident(schema.fields[i].name);
    fts_placeholders += ", ?";
  }
  if (!out->fts_fields.empty()) {
    out->fts_insert =
        fmt::format("INSERT INTO {} ({}) VALUES ({})", quote_ident(schema.plural + "_fts"),
                    fts_columns, fts_placeholders);
  }
  return out;
}

}  // namespace

SchemaSqlRef schema_sql(const domain::EntitySchema& schema) {
  // Built once (thread-safe static initialisation); read-only afterwards.
  static const auto built_in = [] {
    std::unordered_map<const domain::EntitySchema*, std::unique_ptr<SchemaSql>> map;
    for (const auto* s : domain::all_schemas()) map.emplace(s, build(*s));
    return map;
  }();
  const auto it = built_in.find(&schema);
  if (it != built_in.end()) return SchemaSqlRef(it->second.get());
  return SchemaSqlRef(build(schema));
}

}  // namespace relais::storage::sqlite
