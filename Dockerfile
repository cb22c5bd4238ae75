# Airflow image for the arXiv digest pipeline: the official Airflow image plus the exact pins from
# requirements.lock and this project. Built by `docker compose build` (see docker-compose.yaml).
#
# Layers go from slow-and-stable to fast-and-volatile, so editing DAGs, prompts or src/ reuses the
# cached dependency layer; only a change to requirements.lock reinstalls dependencies.
FROM apache/airflow:3.3.2-python3.11

# Everything below runs as the image's unprivileged `airflow` user, as the image's docs require for pip.
USER airflow

# 1. Dependencies. Naming apache-airflow==${AIRFLOW_VERSION} (set by the base image) alongside the lock
#    makes pip fail loudly if the lock pins a different Airflow than this base image instead of
#    silently up- or downgrading it. The Celery, Redis and PostgreSQL drivers come with the base image.
COPY --chown=airflow:0 requirements.lock /opt/airflow/requirements.lock
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -r /opt/airflow/requirements.lock

# 2. The pipeline package, installed editable so that src/arxiv_digest keeps resolving
#    include/ relative to /opt/airflow/project (docker-compose.yaml bind-mounts the working tree
#    over this copy read-only; the baked copy is what runs when the image is used on its own).
COPY --chown=airflow:0 pyproject.toml /opt/airflow/project/
COPY --chown=airflow:0 src /opt/airflow/project/src
# The checks fail the build early if the base image lost what CeleryExecutor on PostgreSQL/Redis needs.
# They do not import airflow, which would write an airflow.cfg with generated secrets into the image.
RUN pip install --no-cache-dir --no-deps -e /opt/airflow/project \
    && pip show --quiet apache-airflow-providers-celery \
    && python -c "import importlib.util as u, psycopg2, redis; assert u.find_spec('arxiv_digest')"

# 3. DAGs, plugins and their data files: the parts that change most often.
COPY --chown=airflow:0 include /opt/airflow/project/include
COPY --chown=airflow:0 plugins /opt/airflow/project/plugins
COPY --chown=airflow:0 dags /opt/airflow/project/dags

ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/airflow/project/dags \
    AIRFLOW__CORE__PLUGINS_FOLDER=/opt/airflow/project/plugins \
    AIRFLOW__CORE__LOAD_EXAMPLES=false
