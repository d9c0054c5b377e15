#include "domain/importing/row_conversion.hpp"

#include <cctype>
#include <utility>
#include <variant>

#include "domain/importing/text_fold.hpp"
#include "domain/importing/value_parsing.hpp"
#include "domain/records/values.hpp"

namespace relais::domain::importing {
namespace {

bool looks_like_email(std::string_view e) {
  std::size_t at = e.find('@');
  if (at == 0 || at == std::string_view::npos || e.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  std::string_view domain = e.substr(at + 1);
  std::size_t dot = domain.find('.');
  return dot != std::string_view::npos && dot > 0 && dot + 1 < domain.size() &&
         e.find_first_of(" \t,;<>\"") == std::string_view::npos;
}

// Cells exported by Relais carry a '\'' before a leading = + - @ (formula guard); drop it so
// an exported file imports back unchanged.
std::string_view unguard(std::string_view cell) {
  if (cell.size() >= 2 && cell[0] == '\'' &&
      (cell[1] == '=' || cell[1] == '+' || cell[1] == '-' || cell[1] == '@')) {
    cell.remove_prefix(1);
  }
  return cell;
}

// French and English names for lifecycle stages, folded.
const std::map<std::string, std::string>& lifecycle_synonyms() {
  static const std::map<std::string, std::string> m = {
      {"abonne", "subscriber"},
      {"prospect", "lead"},
      {"piste", "lead"},
      {"lead qualifie marketing", "mql"},
      {"lead qualifie commercial", "sql"},
      {"opportunite", "opportunity"},
      {"client", "customer"},
      {"cliente", "customer"},
      {"ambassadeur", "evangelist"},
      {"autre", "other"},
  };
  return m;
}

// Headcount → the company size bucket.
std::string size_bucket(std::int64_t n) {
  if (n <= 10) return "1-10";
  if (n <= 50) return "11-50";
  if (n <= 200) return "51-200";
  if (n <= 500) return "201-500";
  if (n <= 1000) return "501-1000";
  return "1000+";
}

enum class CellType { kNumber, kMoney, kDate, kBoolean };

// A cell as a number, an amount in minor units, a date or oui/non — or the reason it is not,
// in the words a user sees in the import report.
std::variant<Json, CellError> typed_cell(CellType type, std::string_view cell) {
  // The message is built only for a bad cell: this runs for every typed cell of the file.
  auto bad = [cell](const char* why) { return CellError{"'" + std::string(cell) + "' " + why}; };
  switch (type) {
    case CellType::kNumber:
      if (auto v = parse_number(cell)) return Json(*v);
      return bad("is not a number");
    case CellType::kMoney:
      if (auto v = parse_amount_minor(cell)) return Json(*v);
      return bad("is not an amount (e.g. 1 234,56)");
    case CellType::kDate:
      if (auto v = parse_date(cell)) return Json(*v);
      return bad("is not a date (25/11/2026 or 2026-11-25)");
    case CellType::kBoolean:
      if (auto v = parse_bool(cell)) return Json(*v);
      return bad("is not oui/non");
  }
  return bad("cannot be read");
}

// A creation date from another system ("25/11/2024", "2024-11-25", "2024-11-25T09:30:00+01:00")
// as a storage stamp; a date alone means midnight UTC. Never in the future.
std::variant<std::string, CellError> creation_stamp(std::string_view cell) {
  std::string stamp;
  if (auto day = parse_date(cell); day && cell.size() <= 10) {
    stamp = *day + "T00:00:00.000Z";
  } else if (auto instant = normalize_datetime(cell)) {
    stamp = *instant;
  } else {
    return CellError{"'" + std::string(cell) +
                     "' is not a date (25/11/2026, 2026-11-25 or 2026-11-25T09:30:00Z)"};
  }
  if (stamp > format_storage_timestamp(now_epoch_ms())) {
    return CellError{"'" + std::string(cell) + "' is in the future"};
  }
  return stamp;
}

// Stores the typed cell at `target`; returns the error instead when it does not parse.
std::optional<CellError> put_typed(CellType type, std::string_view cell, Json& target) {
  auto typed = typed_cell(type, cell);
  if (auto* error = std::get_if<CellError>(&typed)) return std::move(*error);
  target = std::move(std::get<Json>(typed));
  return std::nullopt;
}

// The schema field an import field ends up in (for mapping service errors back to columns).
std::string target_field(const std::string& import_field) {
  if (import_field == "email") return "emails";
  if (import_field == "phone" || import_field == "mobile") return "phones";
  if (import_field == "company") return "company_id";
  if (import_field == "stage") return "stage_id";
  if (import_field == "pipeline") return "pipeline_id";
  if (import_field == "contact_email") return "contact_ids";
  if (import_field == "owner_email") return "owner_id";
  return import_field;
}

}  // namespace

std::string column_for(const ColumnMapping& mapping, const std::vector<std::string>& headers,
                       const std::string& schema_field) {
  for (std::size_t i = 0; i < mapping.fields.size(); ++i) {
    if (!mapping.fields[i].empty() && target_field(mapping.fields[i]) == schema_field) {
      return headers[i];
    }
  }
  return schema_field;
}

std::optional<CellError> RowConverter::convert_cell(const std::string& field, std::string_view cell,
                                                    PreparedRow& out) const {
  Json& body = out.body;
  auto append = [&](const char* key, const std::string& value) {
    if (!body.contains(key)) body[key] = Json::array();
    body[key].push_back(value);
  };
  if (field == "email") {
    for (const std::string& e : split_list(cell, ",;| ")) {
      if (!looks_like_email(e)) return CellError{"'" + e + "' is not a valid e-mail address"};
      append("emails", e);
    }
    return std::nullopt;
  }
  if (field == "phone" || field == "mobile") {
    if (kind_ == ImportKind::kCompanies) {
      if (!body.contains("phone")) body["phone"] = std::string(cell);
    } else {
      for (const std::string& p : split_list(cell, ",;|")) append("phones", p);
    }
    return std::nullopt;
  }
  if (field == "company") {
    out.company_name = std::string(cell);
    return std::nullopt;
  }
  if (field == "created_at") {
    auto stamp = creation_stamp(cell);
    if (std::holds_alternative<CellError>(stamp)) return std::get<CellError>(stamp);
    out.created_at = std::get<std::string>(stamp);
    return std::nullopt;
  }
  if (field == "contact_email") {
    for (const std::string& e : split_list(cell, ",;| ")) out.contact_emails.push_back(e);
    return std::nullopt;
  }
  if (field == "owner_email") {
    auto it = context_.users_by_email.find(to_lower_ascii(cell));
    if (it == context_.users_by_email.end())
      return CellError{"no user with e-mail '" + std::string(cell) + "'"};
    body["owner_id"] = it->second;
    return std::nullopt;
  }
  if (field.rfind("custom.", 0) == 0) return convert_custom_cell(field.substr(7), cell, out);
  if (field == "pipeline" || field == "stage") {
    body[field == "pipeline" ? "_pipeline" : "_stage"] = std::string(cell);
    return std::nullopt;
  }

  const FieldDef* def = schema_.field(field);
  if (def == nullptr || def->read_only) return std::nullopt;
  switch (def->type) {
    case FieldType::kText:
    case FieldType::kDateTime:
      body[field] = std::string(cell);
      break;
    case FieldType::kCurrency: {
      std::string code(cell);
      for (char& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (code == "€") code = "EUR";
      body[field] = code;
      break;
    }
    case FieldType::kInteger:
    case FieldType::kReference: {
      std::string_view number = cell;
      if (field == "probability" && !number.empty() && number.back() == '%') {
        number = trim_cell(number.substr(0, number.size() - 1));
      }
      auto v = parse_integer(number);
      if (!v) return CellError{"'" + std::string(cell) + "' is not a whole number"};
      body[field] = *v;
      break;
    }
    case FieldType::kMoney:
      return put_typed(CellType::kMoney, cell, body[field]);
    case FieldType::kDate:
      return put_typed(CellType::kDate, cell, body[field]);
    case FieldType::kBoolean:
      return put_typed(CellType::kBoolean, cell, body[field]);
    case FieldType::kEnum: {
      std::string folded = fold_label(cell);
      if (field == "size") {
        if (auto n = parse_integer(cell)) folded = size_bucket(*n);
      }
      if (field == "lifecycle_stage") {
        auto it = lifecycle_synonyms().find(folded);
        if (it != lifecycle_synonyms().end()) folded = it->second;
      }
      std::string allowed;
      for (const std::string& v : def->enum_values) {
        if (fold_label(v) == folded || v == folded) {
          body[field] = v;
          return std::nullopt;
        }
        allowed += (allowed.empty() ? "" : ", ") + v;
      }
      return CellError{"'" + std::string(cell) + "' is not one of " + allowed};
    }
    case FieldType::kTextList:
      for (const std::string& v : split_list(cell, ",;|")) append(field.c_str(), v);
      break;
    case FieldType::kReferenceList:
      for (const std::string& v : split_list(cell, ",;| ")) {
        auto id = parse_integer(v);
        if (!id) return CellError{"'" + v + "' is not an id"};
        if (!body.contains(field)) body[field] = Json::array();
        body[field].push_back(*id);
      }
      break;
    case FieldType::kObject:
    case FieldType::kList: {
      Json parsed = Json::parse(cell, nullptr, false);
      if (parsed.is_discarded()) return CellError{"not valid JSON"};
      body[field] = std::move(parsed);
      break;
    }
  }
  return std::nullopt;
}

// Typed like the definition says; the record service then checks the value against it.
std::optional<CellError> RowConverter::convert_custom_cell(const std::string& key,
                                                           std::string_view cell,
                                                           PreparedRow& out) const {
  auto it = context_.custom_fields.find(key);
  if (it == context_.custom_fields.end()) return std::nullopt;
  const Json& def = it->second;
  const std::string type = def.value("type", "text");
  static const std::map<std::string, CellType> kTyped = {{"number", CellType::kNumber},
                                                         {"money", CellType::kMoney},
                                                         {"date", CellType::kDate},
                                                         {"boolean", CellType::kBoolean}};
  Json value;
  if (auto typed = kTyped.find(type); typed != kTyped.end()) {
    if (auto error = put_typed(typed->second, cell, value)) return error;
  } else if (type == "enum") {
    const std::string folded = fold_label(cell);
    std::string allowed;
    for (const Json& option : def.value("options", Json::array())) {
      if (!option.is_string()) continue;
      if (fold_label(option.get<std::string>()) == folded) value = option;
      allowed += (allowed.empty() ? "" : ", ") + option.get<std::string>();
    }
    if (value.is_null()) return CellError{"'" + std::string(cell) + "' is not one of " + allowed};
  } else {
    value = std::string(cell);
  }
  out.body["custom"][key] = std::move(value);
  return std::nullopt;
}

bool RowConverter::convert(const common::CsvRow& row, PreparedRow& out,
                           RejectedRow& rejected) const {
  out.line = row.line;
  rejected.row = row.line;
  if (row.cells.size() > headers_.size()) {
    for (std::size_t i = headers_.size(); i < row.cells.size(); ++i) {
      if (!trim_cell(row.cells[i]).empty()) {
        rejected.reason = "the row has " + std::to_string(row.cells.size()) +
                          " cells but the header has " + std::to_string(headers_.size());
        return false;
      }
    }
  }
  for (std::size_t i = 0; i < headers_.size() && i < row.cells.size(); ++i) {
    const std::string& field = mapping_.fields[i];
    if (field.empty()) continue;
    std::string_view cell = unguard(trim_cell(row.cells[i]));
    if (cell.empty()) continue;
    if (auto error = convert_cell(field, cell, out)) {
      rejected.column = headers_[i];
      rejected.reason = error->reason;
      return false;
    }
  }
  return kind_ != ImportKind::kDeals || resolve_pipeline(out, rejected);
}

bool RowConverter::resolve_pipeline(PreparedRow& out, RejectedRow& rejected) const {
  Json& body = out.body;
  const ImportPipeline* pipeline = context_.default_pipeline;
  if (body.contains("_pipeline")) {
    std::string wanted = fold_label(body["_pipeline"].get<std::string>());
    pipeline = nullptr;
    for (const ImportPipeline& p : context_.pipelines) {
      if (fold_label(p.name) == wanted) pipeline = &p;
    }
    if (!pipeline) {
      rejected.column = column_for(mapping_, headers_, "pipeline_id");
      rejected.reason = "no pipeline named '" + body["_pipeline"].get<std::string>() + "'";
      return false;
    }
    body.erase("_pipeline");
  }
  body["pipeline_id"] = pipeline->id;
  if (body.contains("_stage")) {
    std::string given = body["_stage"].get<std::string>();
    std::string wanted = fold_label(given);
    body.erase("_stage");
    for (const Json& stage : pipeline->stages) {
      std::string id = stage.value("id", std::string());
      if (id == given || fold_label(stage.value("name", std::string())) == wanted ||
          fold_label(id) == wanted) {
        body["stage_id"] = id;
      }
    }
    if (!body.contains("stage_id")) {
      rejected.column = column_for(mapping_, headers_, "stage_id");
      rejected.reason = "no stage '" + given + "' in pipeline '" + pipeline->name + "'";
      return false;
    }
  }
  return true;
}

}  // namespace relais::domain::importing
