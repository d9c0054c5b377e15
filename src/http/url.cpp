#include "http/url.hpp"

namespace relais::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::string> percent_decode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) {
        return Error::bad_request("malformed percent-encoding in URL");
      }
      int high = hex_value(text[i + 1]);
      int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return Error::bad_request("malformed percent-encoding in URL");
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Result<Target> parse_target(std::string_view target) {
  if (target.empty() || target.front() != '/') {
    return Error::bad_request("request target must be an absolute path");
  }
  Target result;
  // A fragment is never sent by conforming clients; drop it rather than route on it.
  if (std::size_t hash = target.find('#'); hash != std::string_view::npos) {
    target = target.substr(0, hash);
  }
  std::size_t question = target.find('?');
  std::string_view raw_path = target.substr(0, question);
  RELAIS_ASSIGN_OR_RETURN(result.path, percent_decode(raw_path, false));
  if (result.path.find('\0') != std::string::npos) {
    return Error::bad_request("URL path must not contain NUL");
  }
  if (question == std::string_view::npos) return result;

  std::string_view rest = target.substr(question + 1);
  while (!rest.empty()) {
    std::size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    std::string_view raw_name = pair.substr(0, eq);
    std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    RELAIS_ASSIGN_OR_RETURN(std::string name, percent_decode(raw_name, true));
    RELAIS_ASSIGN_OR_RETURN(std::string value, percent_decode(raw_value, true));
    result.query.emplace(std::move(name), std::move(value));
  }
  return result;
}

}  // namespace relais::http
