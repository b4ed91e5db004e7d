fn main() -> std::process::ExitCode {
    tapedeck_cli::run(std::env::args_os())
}
