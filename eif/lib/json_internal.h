/* json: what the parser (json.c) and the output side (json_write.c) share and nothing else
 * sees. The public contract is json.h. */
#ifndef EIF_JSON_INTERNAL_H
#define EIF_JSON_INTERNAL_H

#include "json.h"

/* Room for one more element (and, with_keys, one more key) in array or object v, doubling the
 * capacity; 0, or -1 when out of memory (v stays valid). */
int json_grow(struct json_value *v, int with_keys);

#endif
