-- 1 in 4 requests a logout (a Redis write through redis-py), the rest verifies
local n = 0
request = function()
  n = n + 1
  if n % 4 == 0 then
    return wrk.format("POST", "/auth/logout", {["Authorization"] = "Bearer " .. os.getenv("LOGOUT_TOKEN")}, "")
  end
  return wrk.format("GET", "/auth/verify", {["Authorization"] = "Bearer " .. os.getenv("VERIFY_TOKEN")})
end
