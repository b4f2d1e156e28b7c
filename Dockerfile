# Runtime image for Wharf. Build the jar first: mvn -B package -DskipTests
# Any JRE 17+ image with useradd (Debian/Ubuntu based) works as the base.
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${BASE_IMAGE}

RUN groupadd --system --gid 10001 wharf \
 && useradd --system --uid 10001 --gid wharf --home-dir /var/lib/wharf --shell /usr/sbin/nologin wharf \
 && mkdir -p /var/lib/wharf \
 && chown wharf:wharf /var/lib/wharf

COPY proxy/target/wharf.jar /opt/wharf/lib/wharf.jar
COPY bin/wharf /opt/wharf/bin/wharf
COPY deploy/wharf.yaml /etc/wharf/wharf.yaml

USER 10001:10001
WORKDIR /var/lib/wharf
VOLUME /var/lib/wharf
# 5000: the registry API; 5001: /metrics and /healthz (probes)
EXPOSE 5000 5001
ENV WHARF_JAVA_OPTS="-Xmx256m -XX:+ExitOnOutOfMemoryError"

ENTRYPOINT ["/opt/wharf/bin/wharf"]
CMD ["serve", "--config", "/etc/wharf/wharf.yaml"]
