#include "remote_write_v1.pb-c.h"
#include "remote_write_v2.pb-c.h"
