# Generates a C++ source holding common_passwords.txt as a raw string literal, so the binary
# needs no file beside it. Called by the domain block of the top-level CMakeLists.txt:
# -DOUT=<file> -DIN=<common_passwords.txt>
file(READ ${IN} text)
set(body "// Generated from src/domain/auth/common_passwords.txt — do not edit.\n")
string(APPEND body "#include \"domain/auth/password_policy.hpp\"\n\nnamespace relais::domain {\n\n")
string(APPEND body "std::string_view common_passwords_text() {\n")
string(APPEND body "  return R\"relais_list(${text})relais_list\";\n}\n\n}  // namespace relais::domain\n")
file(WRITE ${OUT}.tmp "${body}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
