/* libFuzzer: simulated-device lines (stdin, FIFOs and scripts feed them), in two chunks. */
#include "hal/sim.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hal_sim_decoder dec;
    hal_events out = {0};
    hal_sim_decoder_init(&dec);
    size_t split = size ? data[0] % (size + 1) : 0;
    hal_sim_feed(&dec, "fuzz", data, split, &out);
    hal_sim_feed(&dec, "fuzz", data + split, size - split, &out);
    char json[HAL_TEXT_MAX * 4];
    for (size_t i = 0; i < out.n; i++)
        (void)hal_event_to_json(&out.v[i], json, sizeof json);
    return 0;
}
