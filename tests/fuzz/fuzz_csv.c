/* libFuzzer: the CSV reader over any bytes. Every row it gives must keep the header's promises. */
#include "zc/csv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zc_csv *csv;
    zc_csv_row row;
    zc_diag diag = {{0}, 0};
    zc_err err;
    long line = 0;
    if (zc_csv_new((const char *)data, size, &csv))
        return 0;
    while ((err = zc_csv_next(csv, &row, &diag)) == ZC_OK) {
        if (row.line <= line || row.nfields == 0 || row.nfields > ZC_CSV_MAX_FIELDS)
            abort();
        for (size_t i = 0; i < row.nfields; i++)
            if (row.lens[i] > ZC_CSV_MAX_FIELD_LEN || strlen(row.fields[i]) != row.lens[i])
                abort();
        line = row.line;
    }
    if (err != ZC_ERR_NOT_FOUND && (err != ZC_ERR_INVALID || diag.line < 1 || diag.line < line))
        abort();
    zc_csv_free(csv);
    return 0;
}
