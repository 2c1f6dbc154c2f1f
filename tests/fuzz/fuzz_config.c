/* libFuzzer: device configuration files, as a technician might mistype them. */
#include "hal/config.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hal_config *cfg = calloc(1, sizeof *cfg);
    char err[HAL_CONFIG_ERR_MAX];
    if (!cfg)
        return 0;
    if (hal_config_parse(cfg, "fuzz", (const char *)data, size, err, sizeof err) == HAL_OK) {
        for (size_t i = 0; i < cfg->ndevices; i++)
            if (!hal_config_device(cfg, cfg->devices[i].name))
                abort(); /* every parsed device must be found by its name */
    }
    free(cfg);
    return 0;
}
