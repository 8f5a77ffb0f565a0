/** `--help` text, laid out like nats-server's so operators find the same flags. */
export const USAGE = `
Usage: nats-ts-server [options]

Server Options:
    -a, --addr, --net <host>         Bind to host address (default: 0.0.0.0)
    -p, --port <port>                Use port for clients (default: 4222, -1 for any free port)
    -n, --name
        --server_name <server_name>  Server name (default: auto)
    -P, --pid <file>                 File to store PID
    -m, --http_port <port>           Use port for http monitoring
    -c, --config <file>              Configuration file
    -t                               Test configuration and exit
        --client_advertise <string>  Client URL to advertise to other servers
        --ports_file_dir <dir>       Write a ports file (<executable_name>_<pid>.ports) in this directory

Logging Options:
    -l, --log <file>                 File to redirect log output
    -T, --logtime                    Timestamp log entries (default: true, -T=false to turn off)
    -D, --debug                      Enable debugging output
    -V, --trace                      Trace the raw protocol
    -VV                              Verbose trace (traces system account as well)
    -DV                              Debug and trace
    -DVV                             Debug and verbose trace (traces system account as well)

JetStream Options:
    -js, --jetstream                 Enable JetStream functionality
    -sd, --store_dir <dir>           Set the storage directory

Authorization Options:
        --user <user>                User required for connections
        --pass <password>            Password required for connections
        --auth <token>               Authorization token required for connections

TLS Options:
        --tls                        Enable TLS, do not verify clients (default: false)
        --tlscert <file>             Server certificate file
        --tlskey <file>              Private key for server certificate
        --tlsverify                  Enable TLS, verify client certificates
        --tlscacert <file>           Client certificate CA for verification

Cluster Options:
        --routes <rurl-1, rurl-2>    Routes to solicit and connect
        --cluster <cluster-url>      Cluster URL for solicited routes
        --cluster_listen <url>       Same as --cluster
        --cluster_name <string>      Cluster name
        --no_advertise <bool>        Do not advertise known cluster information to clients
        --cluster_advertise <string> Cluster URL to advertise to other servers
        --connect_retries <number>   For implicit routes, number of connect retries

Common Options:
    -h, --help                       Show this message
    -v, --version                    Show version
        --help_tls                   TLS help

Flags take one or two dashes, and their value either as the next argument or after '='
(-p 4222, --port=4222). Boolean flags take a value only after '=' (-T=false).
Flags given on the command line override the configuration file.
`;

export const TLS_USAGE = `
TLS is configured in the tls block of the configuration file:

    tls {
        cert_file: "./certs/server-cert.pem"
        key_file:  "./certs/server-key.pem"
        ca_file:   "./certs/ca.pem"
        verify:    true
        timeout:   2
    }

or with --tls, --tlscert, --tlskey, --tlscacert and --tlsverify on the command line.
cert_file and key_file are required; ca_file and verify ask for client certificates;
verify_and_map also takes the user from the certificate (e-mail, DNS name, URI or subject).
cipher_suites and curve_preferences are accepted but not applied yet (Node.js defaults
are used); pinned_certs is not supported.
`;
