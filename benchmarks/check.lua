-- auth-chaos wrk script: one fixed request (wrk.init formats it after init), every response checked.
-- args: METHOD PATH TOKEN("-" for none) EXPECT_STATUS EXPECT_REVOCATION_CHECK("-" for none) [BODY]
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   wrk.method = args[1]
   wrk.path = args[2]
   if args[3] ~= "-" then
      wrk.headers["Authorization"] = "Bearer " .. args[3]
   end
   expect_status = tonumber(args[4])
   expect_check = args[5]
   if args[6] then
      wrk.body = args[6]
      wrk.headers["Content-Type"] = "application/json"
   end
   checked = 0
   unexpected = 0
end

function response(status, headers, body)
   checked = checked + 1
   local ok = status == expect_status
   if ok and expect_check ~= "-" then
      local seen = headers["x-revocation-check"] or headers["X-Revocation-Check"]
      ok = seen == expect_check
   end
   if not ok then
      unexpected = unexpected + 1
   end
end

function done(summary, latency, requests)
   local c, u = 0, 0
   for _, t in ipairs(threads) do
      c = c + t:get("checked")
      u = u + t:get("unexpected")
   end
   io.write(string.format("auth-chaos: checked=%d unexpected=%d\n", c, u))
end
