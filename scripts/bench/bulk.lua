-- wrk script: each wrk thread POSTs batches of 1,000 window events, one every 10 s, continuing
-- where the last batch ended, to a bucket of its own (BUCKET-1, BUCKET-2, ...): a client
-- uploading a history, as fast as the server takes it.
-- Usage: wrk -t1 -c1 -s scripts/bench/bulk.lua http://127.0.0.1:PORT -- BUCKET
-- (create BUCKET-1 .. BUCKET-<threads> first).
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("number", threads)
end

local path
local batches = 0

function init(args)
  path = "/api/0/buckets/" .. (args[1] or "bench-bulk") .. "-" .. number .. "/events"
end

function request()
  local events = {}
  local first = 1600000000 + 10000 * batches
  for index = 0, 999 do
    events[index + 1] = string.format('{"timestamp":"%s","duration":5,"data":{"app":"app%d","title":"title %d"}}',
      os.date("!%Y-%m-%dT%H:%M:%SZ", first + 10 * index), index % 40, (batches * 1000 + index) % 3000)
  end
  batches = batches + 1
  return wrk.format("POST", path, {["Content-Type"] = "application/json"}, "[" .. table.concat(events, ",") .. "]")
end
