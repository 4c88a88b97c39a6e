#!/usr/bin/env bash
# Start a one-node Slurm "cluster" on this machine for tests/test_cluster.py and CI.
#
# Installs Debian's Slurm, munge and MariaDB when missing, writes a one-node configuration for this
# host (with one fake GPU, so GPU routing is exercised), starts the daemons directly (no systemd),
# and returns once the node is idle and a test job has run. Daemons it starts are recorded in
# $W2V_SLURM_DIR/pids for tests/cluster/stop-slurm.sh. Running it again while the cluster is up is
# a no-op. Needs root (it installs packages and writes /etc/slurm).
set -euo pipefail

STATE_DIR="${W2V_SLURM_DIR:-/tmp/w2vtheory-slurm}"
PIDS="$STATE_DIR/pids"
CLUSTER=w2vci
ACCOUNT=w2vtest
PARTITION=main
NODE="$(hostname -s)"
MARKER="# Written by w2vtheory tests/cluster/start-slurm.sh"
SLURM_CONF=/etc/slurm/slurm.conf
DB_SOCKET=/run/mysqld/mysqld.sock
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
started_at=$SECONDS

log() { echo "start-slurm: $*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}

# Poll a command until it succeeds, failing with a message after $1 seconds.
wait_for() {
    local limit=$1 what=$2
    shift 2
    local deadline=$((SECONDS + limit))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || die "$what did not come up within ${limit}s; logs in $STATE_DIR/log"
        sleep 0.5
    done
}

[[ $(id -u) -eq 0 ]] || die "run as root (installs packages, writes /etc/slurm, starts daemons)"

if [[ -f $SLURM_CONF ]] && ! grep -qF "$MARKER" "$SLURM_CONF"; then
    die "$SLURM_CONF exists and was not written by this script: refusing to replace a real Slurm set-up"
fi

node_state() { sinfo -h -n "$NODE" -o %T 2>/dev/null; }

# Already up (an earlier call of this script)? Then there is nothing to do.
if [[ -s $PIDS ]] && xargs -r kill -0 < <(cut -d' ' -f2 "$PIDS") 2>/dev/null &&
    [[ $(node_state) =~ ^(idle|mixed|allocated)$ ]]; then
    log "already running (node $NODE is $(node_state))"
    exit 0
fi
# A half-started or stale cluster of ours: stop what is left, then start afresh.
[[ -s $PIDS ]] && bash "$HERE/stop-slurm.sh"

packages=(munge slurmctld slurmd slurm-client slurmdbd mariadb-server)
programs=(munged slurmctld slurmd sbatch sacct sacctmgr slurmdbd mariadbd)
if [[ $(command -v "${programs[@]}" | wc -l) -ne ${#programs[@]} ]]; then
    log "installing ${packages[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
fi

mkdir -p "$STATE_DIR/log" "$STATE_DIR/slurmctld" "$STATE_DIR/slurmd"
install -d -o munge -g munge -m 0755 /run/munge
install -d -o slurm -g slurm -m 0755 /run/slurm
install -d -o mysql -g mysql -m 0755 /run/mysqld
chown slurm:slurm "$STATE_DIR/log" "$STATE_DIR/slurmctld"
: >"$PIDS"

# Start a daemon in the foreground mode it offers, in the background, and record its PID.
launch() {
    local name=$1
    shift
    "$@" >>"$STATE_DIR/log/$name.out" 2>&1 </dev/null &
    echo "$name $!" >>"$PIDS"
}

# --- munge: authentication between the Slurm daemons and clients -----------------------------
if munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
    log "munged already running"
else
    [[ -s /etc/munge/munge.key ]] || mungekey --create --keyfile=/etc/munge/munge.key
    chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
    launch munged setpriv --reuid=munge --regid=munge --init-groups munged --foreground
    wait_for 15 munged bash -c 'munge -n </dev/null | unmunge'
fi

# --- MariaDB: storage for slurmdbd, which the SLURM executor plugin needs for `sacct` ----------
if mariadb-admin --socket="$DB_SOCKET" ping >/dev/null 2>&1; then
    log "MariaDB already running"
else
    launch mariadbd mariadbd --user=mysql --skip-networking --socket="$DB_SOCKET"
    wait_for 60 MariaDB mariadb-admin --socket="$DB_SOCKET" ping
fi
# The slurm system user logs in through the socket as itself: no password to store.
mariadb --socket="$DB_SOCKET" -e "
    CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED VIA unix_socket;
    GRANT ALL PRIVILEGES ON slurm_acct_db.* TO 'slurm'@'localhost';"

# --- configuration -----------------------------------------------------------------------------
cpus=$(nproc)
total_mb=$(free -m | awk '/^Mem:/ {print $2}')
real_memory=$((total_mb * 9 / 10)) # below the detected total, else slurmd drains the node
def_mem_per_cpu=$((real_memory / cpus / 4))

cat >/etc/slurm/slurmdbd.conf <<EOF
$MARKER
AuthType=auth/munge
DbdHost=localhost
SlurmUser=slurm
PidFile=/run/slurm/slurmdbd.pid
LogFile=$STATE_DIR/log/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StorageLoc=slurm_acct_db
EOF
chown slurm:slurm /etc/slurm/slurmdbd.conf
chmod 0600 /etc/slurm/slurmdbd.conf

# No usable cgroups on these machines: linuxproc tracking, no task containment, no usage gathering.
cat >"$SLURM_CONF" <<EOF
$MARKER
ClusterName=$CLUSTER
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=slurm
AuthType=auth/munge
StateSaveLocation=$STATE_DIR/slurmctld
SlurmdSpoolDir=$STATE_DIR/slurmd
SlurmctldPidFile=/run/slurm/slurmctld.pid
SlurmdPidFile=/run/slurm/slurmd.pid
SlurmctldLogFile=$STATE_DIR/log/slurmctld.log
SlurmdLogFile=$STATE_DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStorageTRES=gres/gpu
AccountingStoreFlags=job_comment
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$def_mem_per_cpu
ReturnToService=2
MailProg=/bin/true
GresTypes=gpu
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$real_memory Gres=gpu:1 State=UNKNOWN
PartitionName=$PARTITION Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
# A fake GPU: the node advertises one, so `--gpus=1` jobs are accepted and routed to it.
cat >/etc/slurm/gres.conf <<EOF
$MARKER
NodeName=$NODE Name=gpu File=/dev/null
EOF

# --- accounting daemon, cluster and test account ----------------------------------------------
launch slurmdbd slurmdbd -D
wait_for 60 slurmdbd sacctmgr -n list cluster
sacctmgr -n -P list cluster format=cluster | grep -qx "$CLUSTER" || sacctmgr -i add cluster "$CLUSTER" >/dev/null
sacctmgr -n -P list account format=account | grep -qx "$ACCOUNT" ||
    sacctmgr -i add account "$ACCOUNT" cluster="$CLUSTER" description="w2vtheory tests" >/dev/null
sacctmgr -n -P list user "$(id -un)" withassoc format=account | grep -qx "$ACCOUNT" ||
    sacctmgr -i add user "$(id -un)" account="$ACCOUNT" cluster="$CLUSTER" >/dev/null

# --- controller and compute node ---------------------------------------------------------------
launch slurmctld slurmctld -D
wait_for 30 slurmctld scontrol ping
launch slurmd slurmd -D
wait_for 60 "node $NODE" bash -c "[[ \$(sinfo -h -n $NODE -o %T) =~ ^(idle|drained|draining|down)\$ ]]"
if [[ ! $(node_state) == idle ]]; then
    # A state saved by an earlier run (drain, down) survives restarts: clear it.
    scontrol update nodename="$NODE" state=resume
    wait_for 30 "node $NODE idle" bash -c "[[ \$(sinfo -h -n $NODE -o %T) == idle ]]"
fi

# --- smoke test: an interactive step and a GPU batch job ---------------------------------------
timeout 60 srun -A "$ACCOUNT" -N1 -t 1 hostname >/dev/null || die "test job (srun hostname) failed"
timeout 60 sbatch --wait -A "$ACCOUNT" --gpus=1 -t 1 -o /dev/null --wrap true >/dev/null ||
    die "test GPU job (sbatch --gpus=1) failed"

log "cluster $CLUSTER up: node $NODE ($cpus CPUs, ${real_memory} MB, 1 fake GPU), account $ACCOUNT, partition $PARTITION, in $((SECONDS - started_at)) s"
