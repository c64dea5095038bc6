-- wrk script: each wrk thread POSTs heartbeats to a bucket of its own (BUCKET-1, BUCKET-2, ...),
-- one second apart, the data changing every 10 beats, so no two streams share a bucket.
-- Usage: wrk -t2 -s scripts/bench/heartbeat.lua http://127.0.0.1:PORT -- BUCKET
-- (create BUCKET-1 .. BUCKET-<threads> first).
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("number", threads)
end

local counter = 0
local bucket

function init(args)
  bucket = (args[1] or "bench-wrk") .. "-" .. number
end

function request()
  counter = counter + 1
  local t = 1600000000 + counter
  local body = string.format('{"timestamp":"%s","duration":0,"data":{"app":"wrk","title":"title %d"}}',
    os.date("!%Y-%m-%dT%H:%M:%SZ", t), math.floor(counter / 10) % 2)
  return wrk.format("POST", "/api/0/buckets/" .. bucket .. "/heartbeat?pulsetime=60",
    {["Content-Type"] = "application/json"}, body)
end
