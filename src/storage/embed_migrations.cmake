# Generates a C++ source holding every migration file as a raw string literal.
# Called by the storage block of the top-level CMakeLists.txt, once per engine:
#   -DOUT=<file> -DDIR=<migrations dir> -DENGINE=<sqlite|postgres> -DHEADER=<migrations header>
file(GLOB files ${DIR}/*.sql)
list(SORT files)
set(body "// Generated from src/storage/${ENGINE}/migrations/*.sql — do not edit.\n")
string(APPEND body "#include \"${HEADER}\"\n\nnamespace relais::storage::${ENGINE} {\n\n")
string(APPEND body "const std::vector<EmbeddedMigration>& embedded_migrations() {\n")
string(APPEND body "  static const std::vector<EmbeddedMigration> migrations = {\n")
foreach(file ${files})
  get_filename_component(name ${file} NAME_WE)
  string(REGEX MATCH "^[0-9]+" number ${name})
  math(EXPR version "${number}")
  file(READ ${file} sql)
  string(APPEND body "      {${version}, \"${name}\", R\"relais_sql(${sql})relais_sql\"},\n")
endforeach()
string(APPEND body "  };\n  return migrations;\n}\n\n}  // namespace relais::storage::${ENGINE}\n")
file(WRITE ${OUT}.tmp "${body}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
