#include "storage/postgres/pg_list_query.hpp"

#include <fmt/format.h>

#include "storage/common/filter_values.hpp"

// The same results as storage/sqlite/list_query.cpp, written so that PostgreSQL can use its
// indexes: equality with a known non-null value is `=` rather than IS NOT DISTINCT FROM
// (which no index serves), NULL ordering is spelt out (PostgreSQL sorts NULLs last ascending,
// SQLite first) except on columns that are never NULL, whose plain order an index serves in
// either direction, and a keyset over such columns is one row comparison.
namespace relais::storage::postgres {
namespace {

using domain::CompareOp;
using domain::EntitySchema;
using domain::FieldDef;
using domain::FieldType;
using domain::FilterNode;

std::string column(const FieldDef& f) { return "t." + quote_ident(f.name); }

bool has_searchable_fields(const EntitySchema& schema) {
  for (const auto& f : schema.fields) {
    if (f.searchable) return true;
  }
  return false;
}

// A value typed by typed_value/typed_element as the text parameter its column parses.
SqlValue param_of(const Json& v) {
  if (v.is_null()) return nullptr;
  if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
  if (v.is_number_integer()) return v.get<std::int64_t>();
  return v.get<std::string>();
}

std::string add_param(std::vector<SqlValue>& params, const Json& typed) {
  params.push_back(param_of(typed));
  return placeholder(params);
}

// SQLite's LIKE with ESCAPE '\': %, _ and \ taken literally, anything around the text.
std::string like_pattern(std::string_view text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  out += '%';
  return out;
}

std::string ascii_lower(std::string s) {
  for (auto& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// The SQL search text: the terms SQLite would search for (storage::search_terms), one space
// apart; relais_search_query (migrations/0002) makes each a prefix phrase and requires all.
std::string search_text(std::string_view text) {
  std::string out;
  for (const auto& term : search_terms(text)) out += (out.empty() ? "" : " ") + term;
  return out;
}

class FilterCompiler {
 public:
  FilterCompiler(const EntitySchema& schema, std::vector<SqlValue>& params)
      : schema_(schema), params_(params) {}

  Result<std::string> compile(const FilterNode& node) {
    switch (node.kind) {
      case FilterNode::Kind::kAnd:
      case FilterNode::Kind::kOr: {
        if (node.children.empty()) return Error::bad_request("empty filter group");
        std::string out = "(";
        for (std::size_t i = 0; i < node.children.size(); ++i) {
          if (node.children[i] == nullptr) return Error::bad_request("empty filter");
          if (i > 0) out += node.kind == FilterNode::Kind::kAnd ? " AND " : " OR ";
          RELAIS_ASSIGN_OR_RETURN(std::string part, compile(*node.children[i]));
          out += part;
        }
        return out + ")";
      }
      case FilterNode::Kind::kNot: {
        if (node.children.size() != 1 || node.children[0] == nullptr) {
          return Error::bad_request("'not' takes one expression");
        }
        RELAIS_ASSIGN_OR_RETURN(std::string part, compile(*node.children[0]));
        return "(NOT " + part + ")";
      }
      case FilterNode::Kind::kCompare:
        return compare(node);
    }
    return Error::bad_request("unknown filter node");
  }

 private:
  // Every comparison yields true or false, never NULL, so `not` behaves as users expect
  // (as on SQLite; an `in` list holding null is the one exception on both engines).
  Result<std::string> compare(const FilterNode& node) {
    const FieldDef* f = schema_.field(node.field);
    if (f == nullptr || !f->filterable) {
      return Error::bad_request(fmt::format("cannot filter on '{}'", node.field));
    }
    const std::string col = column(*f);
    const bool list = f->type == FieldType::kTextList || f->type == FieldType::kReferenceList;
    switch (node.op) {
      case CompareOp::kIsEmpty:
        return empty_test(*f, col);
      case CompareOp::kIsNotEmpty:
        return "(NOT " + empty_test(*f, col) + ")";
      case CompareOp::kIn: {
        if (!node.value.is_array()) return Error::bad_request("'in' needs a list of values");
        if (node.value.empty()) return std::string("false");
        std::string placeholders;
        for (const auto& v : node.value) {
          RELAIS_ASSIGN_OR_RETURN(Json typed, list ? element(*f, v) : typed_value(*f, v));
          placeholders += (placeholders.empty() ? "" : ", ") + add_param(params_, typed);
        }
        if (list) return element_exists(*f, col, "IN (" + placeholders + ")");
        return "(" + col + " IS NOT NULL AND " + col + " IN (" + placeholders + "))";
      }
      default:
        break;
    }
    if (list) {
      if (node.op != CompareOp::kEq && node.op != CompareOp::kNe &&
          node.op != CompareOp::kContains) {
        return Error::bad_request(
            fmt::format("'{}' is a list: use contains, in or is empty", f->name));
      }
      RELAIS_ASSIGN_OR_RETURN(Json typed, element(*f, node.value));
      std::string exists = element_exists(*f, col, "= " + add_param(params_, typed));
      return node.op == CompareOp::kNe ? "(NOT " + exists + ")" : exists;
    }
    if (is_json_field(f->type)) {
      return Error::bad_request(fmt::format("'{}' can only be tested with is empty", f->name));
    }
    if (node.op == CompareOp::kContains) {
      if (!is_text_field(f->type)) {
        return Error::bad_request(fmt::format("'contains' needs a text or list field, '{}' is {}",
                                              f->name, domain::field_type_name(f->type)));
      }
      if (!node.value.is_string()) return Error::bad_request("'contains' needs a text value");
      // SQLite's LIKE folds ASCII letters only; so does ILIKE under the columns' "C" collation.
      const std::string p = add_param(params_, like_pattern(node.value.get<std::string>()));
      return "(" + col + " IS NOT NULL AND " + col + " ILIKE " + p + " ESCAPE '\\')";
    }
    RELAIS_ASSIGN_OR_RETURN(Json typed, typed_value(*f, node.value));
    if (typed.is_null()) {
      switch (node.op) {
        case CompareOp::kEq:
          return "(" + col + " IS NULL)";
        case CompareOp::kNe:
          return "(" + col + " IS NOT NULL)";
        default:
          return Error::bad_request("cannot order-compare with null");
      }
    }
    const std::string p = add_param(params_, typed);
    if (node.op == CompareOp::kNe) return "(" + col + " IS NULL OR " + col + " <> " + p + ")";
    const char* op = node.op == CompareOp::kEq   ? "="
                     : node.op == CompareOp::kLt ? "<"
                     : node.op == CompareOp::kLe ? "<="
                     : node.op == CompareOp::kGt ? ">"
                                                 : ">=";
    return "(" + col + " IS NOT NULL AND " + col + " " + op + " " + p + ")";
  }

  // Text-list elements compare ASCII-case-insensitively (as SQLite's lower()); reference
  // lists by id.
  static Result<Json> element(const FieldDef& f, const Json& v) {
    RELAIS_ASSIGN_OR_RETURN(Json typed, typed_element(f, v));
    if (typed.is_string()) return Json(ascii_lower(typed.get<std::string>()));
    return typed;
  }

  // jsonb_array_elements_text yields ids as their decimal text, which is how the parameter
  // (typed text from this context) is sent.
  static std::string element_exists(const FieldDef& f, const std::string& col,
                                    const std::string& test) {
    const char* value = f.type == FieldType::kTextList ? "lower(e.value COLLATE \"C\")" : "e.value";
    return fmt::format(
        "(EXISTS (SELECT 1 FROM jsonb_array_elements_text({}) AS e(value) WHERE {} {}))", col,
        value, test);
  }

  static std::string empty_test(const FieldDef& f, const std::string& col) {
    if (is_json_field(f.type)) {
      return "(" + col + " IS NULL OR " + col + " IN ('[]'::jsonb, '{}'::jsonb))";
    }
    if (is_text_field(f.type)) return "(" + col + " IS NULL OR " + col + " = '')";
    return "(" + col + " IS NULL)";
  }

  const EntitySchema& schema_;
  std::vector<SqlValue>& params_;
};

// WHERE conditions shared by list and count (visibility, filter, search).
Result<std::string> conditions(const EntitySchema& schema, const domain::ListQuery& query,
                               std::vector<SqlValue>& params) {
  std::vector<std::string> parts;
  if (schema.owned) {
    if (std::string visible = visibility_condition(query.visibility, "t", params);
        !visible.empty()) {
      parts.push_back(std::move(visible));
    }
  }
  if (query.filter != nullptr) {
    FilterCompiler compiler(schema, params);
    RELAIS_ASSIGN_OR_RETURN(std::string f, compiler.compile(*query.filter));
    parts.push_back(f);
  }
  if (std::string text = search_text(query.text_search); !text.empty()) {
    if (!has_searchable_fields(schema)) {
      return Error::bad_request(fmt::format("{} cannot be searched", schema.plural));
    }
    params.emplace_back(std::move(text));
    // A scalar sub-select: computed once per execution (an initplan the GIN index scan can
    // use), not once per row as a call with a parameter argument would be under a generic
    // plan (relais_search_query is not inlinable: it pins its search_path).
    parts.push_back(
        fmt::format("t.search_vector @@ (SELECT relais_search_query({}))", placeholder(params)));
  }
  std::string where;
  for (const auto& p : parts) where += (where.empty() ? "" : " AND ") + p;
  return where;
}

std::string order_term(const FieldDef& f, bool descending) {
  std::string out = column(f) + (descending ? " DESC" : " ASC");
  if (!never_null(f)) out += descending ? " NULLS LAST" : " NULLS FIRST";
  return out;
}

// Keyset condition: rows strictly after the cursor row in (k1, ..., kn) order, NULLs first
// ascending and last descending (order_term). `values` are already typed per key.
std::string after_cursor(const EntitySchema& schema, const ResolvedSort& sort,
                         const std::vector<Json>& values, std::vector<SqlValue>& params) {
  const auto field = [&](std::size_t i) { return schema.field(sort.keys[i].field); };
  // Never-NULL keys in one direction: a row comparison, which a (multi-column) index seeks.
  bool simple = true;
  for (std::size_t i = 0; i < sort.keys.size(); ++i) {
    simple = simple && never_null(*field(i)) && !values[i].is_null() &&
             sort.keys[i].descending == sort.keys.front().descending;
  }
  if (simple) {
    std::string cols;
    std::string vals;
    for (std::size_t i = 0; i < sort.keys.size(); ++i) {
      cols += (i > 0 ? ", " : "") + column(*field(i));
      vals += (i > 0 ? ", " : "") + add_param(params, values[i]);
    }
    const char* op = sort.keys.front().descending ? "<" : ">";
    if (sort.keys.size() == 1) return cols + " " + op + " " + vals;
    return "(" + cols + ") " + op + " (" + vals + ")";
  }
  std::string any;
  for (std::size_t i = 0; i < sort.keys.size(); ++i) {
    std::string all;
    for (std::size_t j = 0; j <= i; ++j) {
      const std::string col = column(*field(j));
      const Json& v = values[j];
      std::string term;
      if (j < i) {
        term = v.is_null() ? col + " IS NULL" : col + " = " + add_param(params, v);
      } else if (!sort.keys[j].descending) {
        term = v.is_null() ? col + " IS NOT NULL" : col + " > " + add_param(params, v);
      } else if (v.is_null()) {
        term = "false";
      } else {
        term = "(" + col + " < " + add_param(params, v) + " OR " + col + " IS NULL)";
      }
      all += (all.empty() ? "" : " AND ") + term;
    }
    any += (any.empty() ? "(" : " OR (") + all + ")";
  }
  // A bound on the first key alone lets an index on it start at the cursor.
  const FieldDef& first = *field(0);
  if (!values[0].is_null() && (!sort.keys[0].descending || never_null(first))) {
    return fmt::format("({}) AND {} {} {}", any, column(first),
                       sort.keys[0].descending ? "<=" : ">=", add_param(params, values[0]));
  }
  return "(" + any + ")";
}

}  // namespace

std::string placeholder(const std::vector<SqlValue>& params) {
  return "$" + std::to_string(params.size());
}

std::string visibility_condition(const domain::Visibility& vis, std::string_view table,
                                 std::vector<SqlValue>& params) {
  if (vis.all) return {};
  std::vector<std::string> any;
  if (vis.owner_id) {
    params.emplace_back(*vis.owner_id);
    any.push_back(fmt::format("{}.owner_id = {}", table, placeholder(params)));
  }
  if (vis.team_id) {
    params.emplace_back(*vis.team_id);
    any.push_back(fmt::format("{}.team_id = {}", table, placeholder(params)));
  }
  if (vis.include_unowned) any.push_back(fmt::format("{}.owner_id IS NULL", table));
  if (any.empty()) return "false";
  std::string joined;
  for (const auto& a : any) joined += (joined.empty() ? "" : " OR ") + a;
  return "(" + joined + ")";
}

Result<PgSql> compile_list(const EntitySchema& schema, const domain::ListQuery& query,
                           const ResolvedSort& sort) {
  PgSql out;
  RELAIS_ASSIGN_OR_RETURN(std::string where, conditions(schema, query, out.params));
  if (!query.cursor.empty()) {
    RELAIS_ASSIGN_OR_RETURN(Json raw, decode_cursor(query.cursor, sort.keys.size()));
    std::vector<Json> values;
    for (std::size_t i = 0; i < sort.keys.size(); ++i) {
      auto typed = typed_value(*schema.field(sort.keys[i].field), raw[i]);
      if (!typed.ok()) return Error::bad_request("invalid cursor");
      values.push_back(std::move(typed).value());
    }
    where += (where.empty() ? "" : " AND ") + after_cursor(schema, sort, values, out.params);
  }
  std::string order;
  for (const auto& key : sort.keys) {
    order += (order.empty() ? "" : ", ") + order_term(*schema.field(key.field), key.descending);
  }
  out.params.emplace_back(std::int64_t{effective_limit(query.limit) + 1});
  out.sql = fmt::format("SELECT {} FROM {} AS t{}{} ORDER BY {} LIMIT {}",
                        select_columns(schema, "t"), quote_ident(schema.plural),
                        where.empty() ? "" : " WHERE ", where, order, placeholder(out.params));
  return out;
}

Result<PgSql> compile_count(const EntitySchema& schema, const domain::ListQuery& query) {
  PgSql out;
  RELAIS_ASSIGN_OR_RETURN(std::string where, conditions(schema, query, out.params));
  out.sql = fmt::format("SELECT count(*) FROM {} AS t{}{}", quote_ident(schema.plural),
                        where.empty() ? "" : " WHERE ", where);
  return out;
}

}  // namespace relais::storage::postgres
