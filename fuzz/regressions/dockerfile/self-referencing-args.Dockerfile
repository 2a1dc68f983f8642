ARG A=${B}
ARG B=${A}
ARG C=${C:-${A}}
FROM ${C}:${A-}
RUN echo $A
