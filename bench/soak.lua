-- wrk script for make soak (bench/soak.sh): every connection cycles through
-- a mix of requests, so the soak covers answers at once and after latency,
-- 429s, both shapes, model lists, 401s and 404s.
local chat = '{"model":"m","messages":[{"role":"user","content":"hi"}]}'
local msgs = '{"model":"c","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}'
local json = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer sk-soak" }
local anth = { ["Content-Type"] = "application/json", ["x-api-key"] = "sk-soak" }
local wrong = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer sk-wrong" }
local mix = {
  { "POST", "/ok/v1/chat/completions", json, chat },
  { "POST", "/lat/v1/chat/completions", json, chat },
  { "POST", "/rl/v1/chat/completions", json, chat },
  { "POST", "/an/v1/messages", anth, msgs },
  { "GET", "/ok/v1/models", json, nil },
  { "POST", "/ok/v1/chat/completions", json, '{"model":"nope","messages":[{"role":"user","content":"x"}]}' },
  { "POST", "/ok/v1/chat/completions", wrong, chat },
  { "POST", "/ok/v1/messages", json, chat },
}
local n = 0
request = function()
  n = n + 1
  local r = mix[(n % #mix) + 1]
  return wrk.format(r[1], r[2], r[3], r[4])
end
