fn main() -> std::process::ExitCode {
    envdeck::cli::main()
}
