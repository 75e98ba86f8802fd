/* placeholder, replaced by the real ior-dump */
#include <stdio.h>
#include "stream.h"
int main(int argc, char **argv) { struct stream_reader r; const struct ior_record *rec; (void)argc; stream_reader_open(&r, argv[1]); while ((rec = stream_next(&r))) printf("%04x %u\n", r.type, r.size); return r.status == STREAM_END ? 0 : 1; }
