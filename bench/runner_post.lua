-- wrk script for bench/runner.sh: the runner's own request (model "llama",
-- the bench scenario's test key, a 16-token answer), so wrk meets the same
-- latency and faults as retrylab run does.
wrk.method = "POST"
wrk.body = '{"model":"llama","messages":[{"role":"user","content":"Say hello in one short sentence. Say hel"}],"max_tokens":16}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk-bench-runner-1"
