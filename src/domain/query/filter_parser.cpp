// Recursive-descent parser for the ?filter= language (grammar in filter_parser.hpp).
// Values are typed against the schema while parsing so storage receives only checked values:
//   - money: `500 EUR` / `500.50 EUR` are major units with a currency (-> minor units, and
//     the currency is added as a condition on the schema's currency field); a bare integer
//     is minor units, as in the JSON API;
//   - date fields take `2026-11-25` or "2026-11-25"; date-time fields also take a full
//     ISO 8601 string, and a bare date means midnight UTC;
//   - `= null` / `!= null` become `is empty` / `is not empty`.
#include "domain/query/filter_parser.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>

#include "domain/records/validation.hpp"
#include "domain/records/values.hpp"

namespace relais::domain {
namespace {

enum class Tok { kEnd, kIdent, kString, kNumber, kDate, kLParen, kRParen, kComma, kOp };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // identifier / operator / number text; decoded string contents
  std::size_t pos = 0;
};

Error syntax_error(std::size_t pos, const std::string& what) {
  Error e =
      Error::bad_request("filter syntax error at position " + std::to_string(pos) + ": " + what);
  e.details["position"] = pos;
  return e;
}

Error field_error(std::size_t pos, const std::string& message) {
  Error e = Error::validation("filter: " + message, {{"filter", message}});
  e.details["position"] = pos;
  return e;
}

std::string describe(const Token& t) {
  switch (t.kind) {
    case Tok::kEnd:
      return "the end of the filter";
    case Tok::kString:
      return "a string";
    default:
      return "'" + t.text + "'";
  }
}

bool keyword(const Token& t, std::string_view word) {
  return t.kind == Tok::kIdent && to_lower_ascii(t.text) == word;
}

Result<std::vector<Token>> tokenize(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  auto is_ident_start = [](char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
  };
  auto is_ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  while (i < s.size()) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
      continue;
    }
    Token t;
    t.pos = i;
    if (c == '(' || c == ')' || c == ',') {
      t.kind = c == '(' ? Tok::kLParen : c == ')' ? Tok::kRParen : Tok::kComma;
      t.text = std::string(1, c);
      ++i;
    } else if (c == '=' || c == '!' || c == '<' || c == '>') {
      t.kind = Tok::kOp;
      if (i + 1 < s.size() && s[i + 1] == '=') {
        t.text = s.substr(i, 2);
        i += 2;
      } else if (c == '!') {
        return syntax_error(i, "expected '!=' (a lone '!' is not an operator)");
      } else {
        t.text = std::string(1, c);
        ++i;
      }
    } else if (c == '"' || c == '\'') {
      t.kind = Tok::kString;
      ++i;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == '\\') {
          if (i + 1 >= s.size()) break;
          const char e = s[i + 1];
          t.text += e == 'n' ? '\n' : e == 't' ? '\t' : e;
          i += 2;
        } else if (s[i] == c) {
          closed = true;
          ++i;
          break;
        } else {
          t.text += s[i++];
        }
      }
      if (!closed)
        return syntax_error(t.pos, std::string("unterminated string, expected a closing ") + c);
    } else if (is_digit(c) || ((c == '-' || c == '+') && i + 1 < s.size() && is_digit(s[i + 1]))) {
      // A date literal YYYY-MM-DD, else a number -?digits(.digits)?
      if (i + 10 <= s.size() && is_digit(c) && s[i + 4] == '-' && s[i + 7] == '-' &&
          std::all_of(s.begin() + i, s.begin() + i + 10,
                      [&](char ch) { return is_digit(ch) || ch == '-'; }) &&
          (i + 10 == s.size() || !is_ident(s[i + 10]))) {
        t.kind = Tok::kDate;
        t.text = s.substr(i, 10);
        i += 10;
      } else {
        t.kind = Tok::kNumber;
        std::size_t j = i + 1;
        while (j < s.size() && is_digit(s[j])) ++j;
        if (j < s.size() && s[j] == '.') {
          ++j;
          if (j >= s.size() || !is_digit(s[j]))
            return syntax_error(j, "expected a digit after '.'");
          while (j < s.size() && is_digit(s[j])) ++j;
        }
        if (j < s.size() && is_ident(s[j]) && !std::isalpha(static_cast<unsigned char>(s[j]))) {
          return syntax_error(j, "unexpected character in number");
        }
        t.text = s.substr(i, j - i);
        i = j;
      }
    } else if (is_ident_start(c)) {
      t.kind = Tok::kIdent;
      std::size_t j = i;
      while (j < s.size() && is_ident(s[j])) ++j;
      t.text = s.substr(i, j - i);
      i = j;
    } else {
      return syntax_error(i, std::string("unexpected character '") + c + "'");
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.pos = s.size();
  out.push_back(end);
  return out;
}

// Decimal places of a currency's minor unit (ISO 4217); 2 unless listed.
int minor_digits(std::string_view currency) {
  static constexpr std::string_view kZero[] = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY",
                                               "KMF", "KRW", "PYG", "RWF", "UGX", "VND",
                                               "VUV", "XAF", "XOF", "XPF"};
  static constexpr std::string_view kThree[] = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"};
  for (auto c : kZero)
    if (c == currency) return 0;
  for (auto c : kThree)
    if (c == currency) return 3;
  return 2;
}

bool is_currency_code(const Token& t) {
  return t.kind == Tok::kIdent && t.text.size() == 3 &&
         std::all_of(t.text.begin(), t.text.end(), [](char c) { return c >= 'A' && c <= 'Z'; }) &&
         t.text != "AND" && t.text != "NOT";
}

FilterPtr make_compare(std::string field, CompareOp op, Json value) {
  auto n = std::make_shared<FilterNode>();
  n->kind = FilterNode::Kind::kCompare;
  n->field = std::move(field);
  n->op = op;
  n->value = std::move(value);
  return n;
}

FilterPtr make_group(FilterNode::Kind kind, std::vector<FilterPtr> children) {
  auto n = std::make_shared<FilterNode>();
  n->kind = kind;
  n->children = std::move(children);
  return n;
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, const EntitySchema& schema)
      : tokens_(std::move(tokens)), schema_(schema) {}

  Result<FilterPtr> parse() {
    RELAIS_ASSIGN_OR_RETURN(FilterPtr root, parse_or());
    if (peek().kind != Tok::kEnd) {
      return syntax_error(
          peek().pos, "expected 'and', 'or' or the end of the filter, found " + describe(peek()));
    }
    return root;
  }

 private:
  const Token& peek() const { return tokens_[pos_]; }
  const Token& next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }

  Result<FilterPtr> parse_or() {
    std::vector<FilterPtr> parts;
    RELAIS_ASSIGN_OR_RETURN(FilterPtr first, parse_and());
    parts.push_back(std::move(first));
    while (keyword(peek(), "or")) {
      next();
      RELAIS_ASSIGN_OR_RETURN(FilterPtr more, parse_and());
      parts.push_back(std::move(more));
    }
    return parts.size() == 1 ? parts[0] : make_group(FilterNode::Kind::kOr, std::move(parts));
  }

  Result<FilterPtr> parse_and() {
    std::vector<FilterPtr> parts;
    RELAIS_ASSIGN_OR_RETURN(FilterPtr first, parse_unary());
    parts.push_back(std::move(first));
    while (keyword(peek(), "and")) {
      next();
      RELAIS_ASSIGN_OR_RETURN(FilterPtr more, parse_unary());
      parts.push_back(std::move(more));
    }
    return parts.size() == 1 ? parts[0] : make_group(FilterNode::Kind::kAnd, std::move(parts));
  }

  Result<FilterPtr> parse_unary() {
    if (++depth_ > 64) return syntax_error(peek().pos, "filter is nested too deeply");
    struct Leave {
      int& d;
      ~Leave() { --d; }
    } leave{depth_};
    if (keyword(peek(), "not")) {
      next();
      RELAIS_ASSIGN_OR_RETURN(FilterPtr inner, parse_unary());
      return make_group(FilterNode::Kind::kNot, {std::move(inner)});
    }
    if (peek().kind == Tok::kLParen) {
      next();
      RELAIS_ASSIGN_OR_RETURN(FilterPtr inner, parse_or());
      if (peek().kind != Tok::kRParen) {
        return syntax_error(peek().pos, "expected ')', found " + describe(peek()));
      }
      next();
      return inner;
    }
    return parse_compare();
  }

  Result<FilterPtr> parse_compare() {
    const Token& name = peek();
    if (name.kind != Tok::kIdent || keyword(name, "and") || keyword(name, "or")) {
      return syntax_error(name.pos, "expected a field name, 'not' or '(', found " + describe(name));
    }
    next();
    const FieldDef* field = schema_.field(name.text);
    if (field == nullptr) {
      return field_error(name.pos, "unknown field '" + name.text + "' for " + schema_.plural);
    }
    if (!field->filterable || field->type == FieldType::kObject ||
        field->type == FieldType::kList) {
      return field_error(name.pos, "cannot filter on field '" + name.text + "'");
    }
    const Token& op_tok = peek();
    if (keyword(op_tok, "is")) {
      next();
      bool negate = false;
      if (keyword(peek(), "not")) {
        next();
        negate = true;
      }
      if (!keyword(peek(), "empty")) {
        return syntax_error(peek().pos, "expected 'empty', found " + describe(peek()));
      }
      next();
      return make_compare(field->name, negate ? CompareOp::kIsNotEmpty : CompareOp::kIsEmpty,
                          nullptr);
    }
    if (keyword(op_tok, "in")) {
      next();
      if (peek().kind != Tok::kLParen) {
        return syntax_error(peek().pos, "expected '(' after 'in', found " + describe(peek()));
      }
      next();
      Json values = Json::array();
      while (true) {
        RELAIS_ASSIGN_OR_RETURN(Typed v, parse_value(*field, CompareOp::kIn));
        values.push_back(std::move(v.value));
        if (peek().kind == Tok::kComma) {
          next();
          continue;
        }
        if (peek().kind == Tok::kRParen) {
          next();
          break;
        }
        return syntax_error(peek().pos, "expected ',' or ')', found " + describe(peek()));
      }
      if (is_list(*field)) {
        return field_error(op_tok.pos, "use 'contains' on list field '" + field->name + "'");
      }
      return make_compare(field->name, CompareOp::kIn, std::move(values));
    }
    std::optional<CompareOp> op;
    if (op_tok.kind == Tok::kOp) {
      const std::string& o = op_tok.text;
      op = o == "="    ? CompareOp::kEq
           : o == "!=" ? CompareOp::kNe
           : o == "<"  ? CompareOp::kLt
           : o == "<=" ? CompareOp::kLe
           : o == ">"  ? CompareOp::kGt
                       : CompareOp::kGe;
    } else if (keyword(op_tok, "contains")) {
      op = CompareOp::kContains;
    }
    if (!op) {
      return syntax_error(op_tok.pos,
                          "expected an operator (=, !=, <, <=, >, >=, contains, in, is) after '" +
                              field->name + "', found " + describe(op_tok));
    }
    next();
    const std::size_t value_pos = peek().pos;
    RELAIS_ASSIGN_OR_RETURN(Typed v, parse_value(*field, *op));
    if (v.value.is_null()) {
      if (*op == CompareOp::kEq) return make_compare(field->name, CompareOp::kIsEmpty, nullptr);
      if (*op == CompareOp::kNe) return make_compare(field->name, CompareOp::kIsNotEmpty, nullptr);
      return field_error(value_pos, "null can only be compared with = or !=");
    }
    RELAIS_TRY(check_operator(*field, *op, op_tok.pos));
    FilterPtr cmp = make_compare(field->name, *op, std::move(v.value));
    if (v.currency.empty()) return cmp;
    const FieldDef* currency = currency_field();
    if (currency == nullptr) return cmp;
    return make_group(FilterNode::Kind::kAnd,
                      {cmp, make_compare(currency->name, CompareOp::kEq, v.currency)});
  }

  static bool is_list(const FieldDef& f) {
    return f.type == FieldType::kTextList || f.type == FieldType::kReferenceList;
  }

  Result<void> check_operator(const FieldDef& f, CompareOp op, std::size_t pos) const {
    const bool ordered = op == CompareOp::kLt || op == CompareOp::kLe || op == CompareOp::kGt ||
                         op == CompareOp::kGe;
    if (is_list(f) && op != CompareOp::kContains) {
      return field_error(pos, "use 'contains' or 'is empty' on list field '" + f.name + "'");
    }
    if (op == CompareOp::kContains && !is_list(f) && f.type != FieldType::kText) {
      return field_error(pos, "'contains' needs a text or list field, '" + f.name + "' is " +
                                  field_type_name(f.type));
    }
    if (ordered && (f.type == FieldType::kBoolean || f.type == FieldType::kEnum ||
                    f.type == FieldType::kReference || f.type == FieldType::kCurrency)) {
      return field_error(pos, "'" + f.name + "' cannot be compared with <, <=, > or >=");
    }
    return {};
  }

  const FieldDef* currency_field() const {
    for (const auto& f : schema_.fields) {
      if (f.type == FieldType::kCurrency) return &f;
    }
    return nullptr;
  }

  struct Typed {
    Json value;
    std::string currency;  // set for `500 EUR`
  };

  // Reads one literal and types it for `field`.
  Result<Typed> parse_value(const FieldDef& field, CompareOp op) {
    const Token t = next();
    if (t.kind == Tok::kEnd || t.kind == Tok::kLParen || t.kind == Tok::kRParen ||
        t.kind == Tok::kComma || t.kind == Tok::kOp) {
      return syntax_error(t.pos, "expected a value, found " + describe(t));
    }
    if (keyword(t, "null")) return Typed{nullptr, {}};
    auto wrong = [&](const std::string& expected) -> Error {
      return field_error(t.pos,
                         "'" + field.name + "' expects " + expected + ", found " + describe(t));
    };
    // The element type for list fields compared with contains.
    FieldType type = field.type;
    if (type == FieldType::kTextList) type = FieldType::kText;
    if (type == FieldType::kReferenceList) type = FieldType::kReference;
    (void)op;

    switch (type) {
      case FieldType::kText:
        if (t.kind == Tok::kString) return Typed{t.text, {}};
        if (t.kind == Tok::kNumber || t.kind == Tok::kDate) return Typed{t.text, {}};
        return wrong("a quoted string");
      case FieldType::kInteger:
      case FieldType::kReference: {
        if (t.kind != Tok::kNumber || t.text.find('.') != std::string::npos) {
          return wrong("an integer");
        }
        auto n = parse_int(t.text);
        if (!n) return wrong("an integer in range");
        return Typed{*n, {}};
      }
      case FieldType::kMoney: {
        if (t.kind != Tok::kNumber) return wrong("an amount such as 500 EUR");
        if (is_currency_code(peek())) {
          const Token cur = next();
          const int digits = minor_digits(cur.text);
          auto minor = decimal_to_minor(t.text, digits);
          if (!minor) {
            return field_error(t.pos, "amount " + t.text + " " + cur.text + " has more than " +
                                          std::to_string(digits) + " decimals or is too large");
          }
          return Typed{*minor, cur.text};
        }
        if (t.text.find('.') != std::string::npos) {
          return field_error(
              t.pos, "'" + field.name + "': give a currency (500.50 EUR) or minor units (50050)");
        }
        auto n = parse_int(t.text);
        if (!n) return wrong("an integer in range");
        return Typed{*n, {}};
      }
      case FieldType::kCurrency: {
        std::string code = t.kind == Tok::kString || t.kind == Tok::kIdent ? t.text : "";
        auto checked = validate_value(field, Json(code));
        if (code.empty() || !checked.ok()) return wrong("a currency code such as \"EUR\"");
        return Typed{code, {}};
      }
      case FieldType::kDate:
        if ((t.kind == Tok::kDate || t.kind == Tok::kString) && is_valid_date(t.text)) {
          return Typed{t.text, {}};
        }
        return wrong("a real date YYYY-MM-DD");
      case FieldType::kDateTime: {
        if ((t.kind == Tok::kDate || t.kind == Tok::kString) && is_valid_date(t.text)) {
          return Typed{t.text + "T00:00:00.000Z", {}};
        }
        if (t.kind == Tok::kString) {
          if (auto normalised = normalize_datetime(t.text)) return Typed{*normalised, {}};
        }
        return wrong("a date YYYY-MM-DD or an ISO 8601 date-time");
      }
      case FieldType::kBoolean:
        if (keyword(t, "true")) return Typed{true, {}};
        if (keyword(t, "false")) return Typed{false, {}};
        return wrong("true or false");
      case FieldType::kEnum: {
        if (t.kind != Tok::kString && t.kind != Tok::kIdent) return wrong("a quoted value");
        if (std::find(field.enum_values.begin(), field.enum_values.end(), t.text) ==
            field.enum_values.end()) {
          std::string allowed;
          for (const auto& e : field.enum_values) allowed += (allowed.empty() ? "" : ", ") + e;
          return field_error(t.pos, "'" + t.text + "' is not a valid " + field.name +
                                        " (one of: " + allowed + ")");
        }
        return Typed{t.text, {}};
      }
      default:
        return wrong("no value (this field cannot be filtered)");
    }
  }

  static std::optional<std::int64_t> parse_int(const std::string& text) {
    try {
      std::size_t used = 0;
      const long long v = std::stoll(text, &used);
      if (used != text.size()) return std::nullopt;
      return static_cast<std::int64_t>(v);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }

  // "500.5" with 2 digits -> 50050; nullopt with too many decimals or on overflow.
  static std::optional<std::int64_t> decimal_to_minor(const std::string& text, int digits) {
    const auto dot = text.find('.');
    std::string whole = text.substr(0, dot);
    std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
    if (static_cast<int>(frac.size()) > digits) return std::nullopt;
    frac.append(static_cast<std::size_t>(digits) - frac.size(), '0');
    if (whole.size() + frac.size() > 17) return std::nullopt;
    return parse_int(whole + frac);
  }

  std::vector<Token> tokens_;
  const EntitySchema& schema_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

Result<FilterPtr> parse_filter(std::string_view text, const EntitySchema& schema) {
  if (trim(text).empty()) return FilterPtr{};
  if (text.size() > 10000) return Error::bad_request("filter is too long (10000 bytes at most)");
  RELAIS_ASSIGN_OR_RETURN(std::vector<Token> tokens, tokenize(text));
  return Parser(std::move(tokens), schema).parse();
}

}  // namespace relais::domain
