// USDT (SystemTap / bpftrace / perf) probes at the call sites of Node's
// DTRACE_HTTP_SERVER_REQUEST and DTRACE_HTTP_SERVER_RESPONSE (seed 4-1-4-4 and 4-2),
// next to the in-process diagnostics hooks (include/nodecc/http/diagnostics.hpp):
//
//   nodecc:http__server__request   arg0 = IncomingMessage*, arg1 = method (NUL-terminated),
//                                  arg2 = url bytes, arg3 = url length
//   nodecc:http__server__response  arg0 = IncomingMessage* (pairs with the request),
//                                  arg1 = statusCode
//
//     bpftrace -e 'usdt:./server:nodecc:http__server__request
//                  { printf("%s %s\n", str(arg1), str(arg2, arg3)); }'
//
// Cost: a probe is one NOP in the code plus an ELF note (readelf -n shows them under
// "stapsdt"); the arguments are a few loads. Without <sys/sdt.h> (Debian:
// systemtap-sdt-dev) at configure time, CMake leaves NODECC_HAVE_SYS_SDT_H undefined and
// the macros compile to nothing.
#pragma once

#if defined(NODECC_HAVE_SYS_SDT_H)
#include <sys/sdt.h>

// Node: DTRACE_HTTP_SERVER_REQUEST(req, socket) in parserOnIncoming.
#define NODECC_USDT_HTTP_SERVER_REQUEST(req)                                       \
    DTRACE_PROBE4(nodecc, http__server__request, static_cast<const void*>(&(req)), \
                  (req).method().data(), (req).url().data(), (req).url().size())
// Node: DTRACE_HTTP_SERVER_RESPONSE(socket) in resOnFinish.
#define NODECC_USDT_HTTP_SERVER_RESPONSE(req, res)                                  \
    DTRACE_PROBE2(nodecc, http__server__response, static_cast<const void*>(&(req)), \
                  (res).statusCode)
#else
#define NODECC_USDT_HTTP_SERVER_REQUEST(req) static_cast<void>(0)
#define NODECC_USDT_HTTP_SERVER_RESPONSE(req, res) static_cast<void>(0)
#endif
