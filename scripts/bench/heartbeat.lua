-- wrk script: POST heartbeats to one bucket, one second apart, data changing every 10 beats.
-- Usage: wrk -s scripts/bench/heartbeat.lua http://127.0.0.1:PORT -- BUCKET_ID
local counter = 0
local bucket = "bench-wrk"

function init(args)
  if args[1] then bucket = args[1] end
end

function request()
  counter = counter + 1
  local t = 1600000000 + counter
  local body = string.format('{"timestamp":"%s","duration":0,"data":{"app":"wrk","title":"title %d"}}',
    os.date("!%Y-%m-%dT%H:%M:%SZ", t), math.floor(counter / 10) % 2)
  return wrk.format("POST", "/api/0/buckets/" .. bucket .. "/heartbeat?pulsetime=60",
    {["Content-Type"] = "application/json"}, body)
end
