#!/bin/bash
# The runtime's CPU for the answers that carry jobs, from /proc: a batch submission of 1,000 jobs
# (per job), a page of 500 from GET /v1/jobs, and GET /v1/jobs/{id} of a job with a 274 kB payload.
# Runs the given shepherd.jar on a fresh PostgreSQL database "subm" (local, trust auth, as root).
# A/B: alternate two jars, several runs a side (bench/README.md, "A job's views as text").
# usage: bench/scripts/job_views.sh path/to/shepherd.jar LABEL
set -u
JAR=$(realpath "$1"); LABEL=$2; PORT=${PORT:-18200}; DIR=/tmp/job-views-$LABEL
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
rm -rf $DIR; mkdir -p $DIR; cd $DIR
runuser -u postgres -- psql -q -c "DROP DATABASE IF EXISTS subm" -c "CREATE DATABASE subm" >/dev/null 2>&1
SERVER_PORT=$PORT SHEPHERD_DB_URL=jdbc:postgresql://127.0.0.1:5432/subm SHEPHERD_DB_USERNAME=postgres \
  $JAVA -Xmx400m -jar $JAR serve > rt.log 2>&1 &
PID=$!
for i in $(seq 60); do curl -sf localhost:$PORT/ready >/dev/null && break; sleep 0.5; done
TOK=$(python3 -c 'import json;print(json.load(open("data/tokens.json"))["client"])')
python3 - > batch.json <<'P'
import json
print(json.dumps({"jobs":[{"type":"echo","payload":{"n":i,"text":"some payload text with \"quotes\" and words","list":[1,2,3]},"correlationId":"c-%d"%i} for i in range(1000)]}))
P
cpu() { awk '{print $14+$15}' /proc/$PID/stat; }
post() { for i in $(seq $1); do curl -s -o /dev/null -X POST localhost:$PORT/v1/jobs/batch -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' --data-binary @batch.json; done; }
post 60   # warm-up: 60,000 jobs
c0=$(cpu); t0=$(date +%s.%N); post 60; c1=$(cpu); t1=$(date +%s.%N)
echo "$LABEL submit: $(echo "($c1-$c0)*10000/60000" | bc -l | cut -c1-6) µs/job runtime CPU, $(echo "60000/($t1-$t0)" | bc -l | cut -c1-7) jobs/s"
lst() { for i in $(seq $1); do curl -s -o /dev/null "localhost:$PORT/v1/jobs?limit=500" -H "Authorization: Bearer $TOK"; done; }
lst 100; c0=$(cpu); lst 200; c1=$(cpu)
echo "$LABEL list of 500: $(echo "($c1-$c0)*10/200" | bc -l | cut -c1-6) ms runtime CPU a page"
python3 -c 'import json;print(json.dumps({"type":"big","payload":{"items":[{"i":i,"name":"item %d with some text"%i,"tags":["a","b"]} for i in range(4000)]}}))' > big.json
BIG=$(curl -s -X POST localhost:$PORT/v1/jobs -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' --data-binary @big.json | python3 -c 'import json,sys;print(json.load(sys.stdin)["id"])')
get() { for i in $(seq $1); do curl -s -o /dev/null localhost:$PORT/v1/jobs/$BIG -H "Authorization: Bearer $TOK"; done; }
get 100; c0=$(cpu); get 300; c1=$(cpu)
echo "$LABEL get of a $(stat -c %s big.json)-byte job: $(echo "($c1-$c0)*10/300" | bc -l | cut -c1-6) ms runtime CPU a read"
kill $PID; wait $PID 2>/dev/null
runuser -u postgres -- psql -q -c "DROP DATABASE IF EXISTS subm" >/dev/null 2>&1
